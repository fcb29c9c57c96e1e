/**
 * @module idp/config/load.test
 * The `idp` section: defaults, errors naming the key path, cross-references (tenants), environment
 * overlay and command-line overrides.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { loadIdpConfig, parseIdpConfig } from './load.ts';

function rejection(run: () => unknown): TokenguardError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    return error;
  }
  return assert.fail('expected a config error');
}

describe('IdP config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-idp-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults: 127.0.0.1:8081, SQLite in .data, all profiles, 1 h / 24 h RS256 JWTs, password grant off', () => {
    const config = parseIdpConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8081);
    assert.equal(config.issuer, '');
    assert.equal(config.store, 'sqlite');
    assert.equal(config.dataDir, '.data');
    assert.deepEqual(config.profiles, ['standard', 'keycloak', 'authkit']);
    assert.deepEqual(config.tokens, {
      format: 'jwt',
      accessTokenTtl: 3_600_000,
      refreshTokenTtl: 86_400_000,
      algorithm: 'RS256',
    });
    assert.equal(config.legacy.passwordGrant, false);
    assert.equal(config.limits.maxBodyBytes, 65_536);
    assert.equal(config.introspection.errorStyle, 'oauth');
    assert.deepEqual(config.introspection.staticTokens, []);
  });

  it('errors name the key path', () => {
    const cases: [unknown, RegExp][] = [
      [{ port: 70000 }, /^idp\.port: /],
      [{ tokens: { accessTokenTtl: 'soon' } }, /^idp\.tokens\.accessTokenTtl: "soon" is not a duration/],
      [{ tokens: { nope: 1 } }, /^idp\.tokens\.nope: unknown key/],
      [{ store: 'mysql://x' }, /^idp\.store: must be sqlite/],
      [{ issuer: 'https://idp.example/?q=1' }, /^idp\.issuer: /],
      [{ profiles: ['standard', 'standard'] }, /^idp\.profiles: lists a profile twice/],
      [
        { clients: [{ id: 'a', tenant: 'nowhere', secret: 's' }] },
        /^idp\.clients\.0\.tenant: unknown tenant "nowhere"/,
      ],
      [{ clients: [{ id: 'a' }] }, /^idp\.clients\.0: a client needs a secret, jwks or tlsSubjectDn/],
      [
        { clients: [{ id: 'a', secret: 's', authMethods: ['private_key_jwt'] }] },
        /^idp\.clients\.0\.authMethods\.0: private_key_jwt needs/,
      ],
      [
        {
          clients: [
            { id: 'a', secret: 's' },
            { id: 'a', secret: 't' },
          ],
        },
        /^idp\.clients\.1\.id: client default\/a is declared twice/,
      ],
      [{ clients: [{ id: 'has space', secret: 's' }] }, /^idp\.clients\.0\.id: /],
      [{ tenants: [{ id: '../etc' }] }, /^idp\.tenants\.0\.id: must be a tenant id/],
      [
        { users: [{ username: 'u', password: 'p', tenant: 'x.com' }] },
        /^idp\.users\.0\.tenant: unknown tenant/,
      ],
      [
        { introspection: { staticTokens: [{ token: 't', tenant: 'x.com' }] } },
        /^idp\.introspection\.staticTokens\.0\.tenant: /,
      ],
      [{ tls: { cert: 'c.pem' } }, /^idp\.tls\.key: cert and key go together/],
      [{ tls: { cert: 'c.pem', key: 'k.pem', requestClientCert: true } }, /^idp\.tls\.ca: /],
    ];
    for (const [raw, message] of cases) {
      assert.match(rejection(() => parseIdpConfig(raw)).detail ?? '', message, JSON.stringify(raw));
    }
  });

  it('declarations parse with their defaults', () => {
    const config = parseIdpConfig({
      tenants: [{ id: 'foo.com', allowCrossTenantIntrospection: true }],
      clients: [{ id: 'user', secret: 'user-pwd', policies: [{ rn: 'my_service', role: 'admin' }] }],
      users: [{ username: 'admin', tenant: 'foo.com', password: 'admin', canIntrospect: true }],
    });
    assert.equal(config.clients[0].tenant, 'default');
    assert.deepEqual(config.clients[0].grantTypes, ['client_credentials']);
    assert.equal(config.clients[0].accessTokenTtl, 0, '0 = the idp.tokens default');
    assert.equal(config.users[0].admin, false);
  });

  it('loads the idp section of a YAML file, then the environment, then overrides', () => {
    const file = join(dir, 'idp.yaml');
    writeFileSync(
      file,
      'idp:\n  port: 9000\n  store: memory\n  profiles: [authkit]\n  tokens:\n    accessTokenTtl: 15m\n',
    );
    const fromFile = loadIdpConfig({ file });
    assert.equal(fromFile.port, 9000);
    assert.equal(fromFile.tokens.accessTokenTtl, 900_000);
    const env = {
      TOKENGUARD_IDP_PORT: '9100',
      TOKENGUARD_IDP_PROFILES: 'standard,keycloak',
      TOKENGUARD_IDP_LEGACY_PASSWORDGRANT: 'true',
      TOKENGUARD_IDP_INTROSPECTION_STATICTOKENS: '[{"token":"t"}]',
    };
    const withEnv = loadIdpConfig({ file, env });
    assert.equal(withEnv.port, 9100);
    assert.deepEqual(withEnv.profiles, ['standard', 'keycloak']);
    assert.equal(withEnv.legacy.passwordGrant, true);
    assert.equal(withEnv.introspection.staticTokens[0].tenant, 'default');
    const overridden = loadIdpConfig({ file, env, overrides: { port: 0, host: undefined } });
    assert.equal(overridden.port, 0);
    assert.equal(overridden.host, '127.0.0.1');
    const prefixed = loadIdpConfig({ env: { MY_IDP_PORT: '1234' }, envPrefix: 'MY' });
    assert.equal(prefixed.port, 1234);
  });

  it('a file whose idp section is not a mapping, or bad YAML, is rejected with the path', () => {
    const scalar = join(dir, 'scalar.yaml');
    writeFileSync(scalar, 'idp: 5\n');
    assert.match(rejection(() => loadIdpConfig({ file: scalar })).detail ?? '', /^idp: must be a mapping/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'idp:\n  port: [\n');
    assert.match(rejection(() => loadIdpConfig({ file: broken })).detail ?? '', /broken\.yaml/);
  });
});

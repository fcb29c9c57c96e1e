import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { loadConfig, parseAuthConfig } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokenguard-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function rejectionOf(run: () => unknown): TokenguardError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    return error;
  }
  assert.fail('expected a config error');
}

describe('config loading', () => {
  it("reads seed 000's go-authkit keys from YAML and fills defaults", () => {
    const config = loadConfig({
      file: file(
        'seed.yaml',
        [
          'auth:',
          '  jwt:',
          '    trustedIssuerUrls: [http://127.0.0.1:8081]',
          '    claimsCache: {enabled: true, maxEntries: 1000}',
          '  introspection:',
          '    enabled: true',
          '    endpoint: http://127.0.0.1:8081/idp/introspect_token',
          '    claimsCache: {enabled: true, maxEntries: 1000, ttl: 1m}',
          '    negativeCache: {enabled: true, maxEntries: 1000, ttl: 5m}',
          '    grpc:',
          '      endpoint: ""',
          '      tls: {enabled: true, caCert: ca.pem, clientCert: c.pem, clientKey: k.pem}',
          'server: {port: 8080}',
        ].join('\n'),
      ),
    });
    assert.equal(config.introspection.endpoint, 'http://127.0.0.1:8081/idp/introspect_token');
    assert.equal(config.introspection.claimsCache.ttl, 60_000);
    assert.equal(config.introspection.negativeCache.ttl, 300_000);
    assert.equal(config.introspection.grpc.tls.caCert, 'ca.pem');
    assert.equal(config.httpClient.requestTimeout, 5000, 'default timeout is seconds, not 30');
    assert.equal(config.tokenSources.header.enabled, true);
    assert.equal(config.tokenSources.query.enabled, false);
  });

  it('reads JSON too, and an empty file as all defaults', () => {
    assert.equal(loadConfig({ file: file('c.json', '{"auth":{"errorDomain":"X"}}') }).errorDomain, 'X');
    assert.equal(loadConfig({ file: file('empty.yaml', '') }).errorDomain, 'tokenguard');
  });

  it('applies environment overrides with the go-authkit naming', () => {
    const config = loadConfig({
      file: file('env.yaml', 'auth: {introspection: {enabled: true}}'),
      envPrefix: 'MY_SERVICE',
      env: {
        MY_SERVICE_AUTH_INTROSPECTION_ENDPOINT: 'https://idp.example/introspect',
        MY_SERVICE_AUTH_INTROSPECTION_CLAIMSCACHE_TTL: '30s',
        MY_SERVICE_AUTH_INTROSPECTION_NEGATIVECACHE_ENABLED: 'true',
        MY_SERVICE_AUTH_JWT_TRUSTEDISSUERURLS: 'https://a.example,https://*.b.example/idp',
        MY_SERVICE_AUTH_HTTPCLIENT_RETRIES: '2',
        OTHER_AUTH_ERRORDOMAIN: 'ignored',
      },
    });
    assert.equal(config.introspection.endpoint, 'https://idp.example/introspect');
    assert.equal(config.introspection.claimsCache.ttl, 30_000);
    assert.equal(config.introspection.negativeCache.enabled, true);
    assert.deepEqual(config.jwt.trustedIssuerUrls, ['https://a.example', 'https://*.b.example/idp']);
    assert.equal(config.httpClient.retries, 2);
    assert.equal(config.errorDomain, 'tokenguard');
  });

  it('rejects bad values naming the key', () => {
    const cases: [unknown, string][] = [
      [{ introspection: { claimsCache: { ttl: 'soon' } } }, 'auth.introspection.claimsCache.ttl'],
      [{ introspection: { endpoint: 'ftp://x' } }, 'auth.introspection.endpoint'],
      [{ introspection: { claimsCache: { maxEntries: -1 } } }, 'auth.introspection.claimsCache.maxEntries'],
      [{ jwt: { algorithms: ['none'] } }, 'auth.jwt.algorithms.0'],
      [{ jwt: { algorithms: ['HS256'] } }, 'auth.jwt.algorithms.0'],
      [{ introspection: { clientAuth: { method: 'magic' } } }, 'auth.introspection.clientAuth.method'],
      [{ tokenSources: { header: { name: '' } } }, 'auth.tokenSources.header.name'],
      [{ introspcetion: {} }, 'auth.introspcetion'],
      [{ httpClient: { retries: 99 } }, 'auth.httpClient.retries'],
    ];
    for (const [raw, path] of cases) {
      const error = rejectionOf(() => parseAuthConfig(raw));
      assert.equal(error.path, path, JSON.stringify(raw));
      assert.ok(error.message.startsWith(`Invalid configuration: ${path}`), error.message);
    }
  });

  it('rejects unreadable files, YAML syntax errors and duplicate keys with the file name', () => {
    assert.match(
      rejectionOf(() => loadConfig({ file: join(dir, 'missing.yaml') })).message,
      /missing\.yaml: cannot read: ENOENT/,
    );
    assert.match(
      rejectionOf(() => loadConfig({ file: file('bad.yaml', 'auth:\n  a: [\n') })).message,
      /bad\.yaml/,
    );
    assert.match(
      rejectionOf(() => loadConfig({ file: file('dup.yaml', 'auth: {}\nauth: {}\n') })).message,
      /dup\.yaml/,
    );
    assert.match(rejectionOf(() => loadConfig({ file: file('list.yaml', '- a\n') })).message, /mapping/);
    assert.match(
      rejectionOf(() => loadConfig({ file: file('scalar.yaml', 'auth: 5\n') })).message,
      /auth: must be a mapping/,
    );
  });
});

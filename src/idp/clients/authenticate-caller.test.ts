/**
 * @module idp/clients/authenticate-caller.test
 * Caller authentication against a memory store: each method, the endpoint's accepted caller kinds, the
 * uniform 401 `invalid_client` with its challenge, and a log line that gives the reason but no secret.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { createLogger } from '../../observability/logger.ts';
import { clientRecord, tenantRecord, userRecord } from '../config/records.ts';
import { clientSchema, idpConfigSchema, userSchema } from '../config/schema.ts';
import type { StoredToken } from '../model.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { Realm } from '../tokens/types.ts';
import { CallerAuthenticator } from './authenticate-caller.ts';
import { JWT_BEARER_ASSERTION_TYPE } from './presented-credentials.ts';

const REALM: Realm = { tenant: 'default', issuer: 'https://idp.example', claimStyle: 'rfc9068' };
const FOO_REALM: Realm = {
  tenant: 'foo.com',
  issuer: 'https://idp.example/t/foo.com',
  claimStyle: 'rfc9068',
};
const NOW = 1_800_000_000_000;
const tokens = idpConfigSchema.parse({}).tokens;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('CallerAuthenticator', () => {
  const store = new MemoryStore();
  const logged: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    }),
  });
  const bearerToken: StoredToken = {
    tenant: 'default',
    id: 'jti-1',
    kind: 'access',
    format: 'jwt',
    clientId: 'rs',
    subject: 'rs',
    scope: '',
    audience: [],
    issuer: REALM.issuer,
    issuedAt: NOW / 1000 - 10,
    expiresAt: NOW / 1000 + 3600,
    familyId: 'f',
    claims: {},
  };
  const callers = new CallerAuthenticator({
    store,
    tokens: { find: async (_realm, token) => (token === 'rs-access-token' ? bearerToken : undefined) },
    staticTokens: [{ token: 'static-secret-token', tenant: 'default', name: 'seed' }],
    assertionMaxLifetimeMs: 300_000,
    clockToleranceMs: 0,
    logger,
    now: () => NOW,
  });
  let signingKey: CryptoKey;

  const client = (declaration: Record<string, unknown>) =>
    store.clients.put(clientRecord(clientSchema.parse(declaration), tokens, undefined, 0));

  before(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    await store.tenants.put(
      tenantRecord({ id: 'default', displayName: '', allowCrossTenantIntrospection: false }, undefined, 0),
    );
    await store.tenants.put(
      tenantRecord({ id: 'foo.com', displayName: '', allowCrossTenantIntrospection: false }, undefined, 0),
    );
    await client({ id: 'svc', secret: 'svc-secret' });
    await client({ id: 'basic-only', secret: 's', authMethods: ['client_secret_basic'] });
    await client({ id: 'off', secret: 's', disabled: true });
    await client({ id: 'rs', secret: 'rs-secret', canIntrospect: true });
    await client({ id: 'signer', jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k' }] } });
    const user = { tenant: 'foo.com', password: 'admin' };
    await store.users.put(
      await userRecord(userSchema.parse({ ...user, username: 'admin', canIntrospect: true }), undefined, 0),
    );
    await store.users.put(await userRecord(userSchema.parse({ ...user, username: 'viewer' }), undefined, 0));
  });

  const request = (
    authorization: string | undefined,
    entries: Record<string, string> = {},
    realm = REALM,
  ) => ({
    realm,
    authorization,
    form: new Map(Object.entries(entries)),
    peer: undefined,
    endpointUrls: [`${realm.issuer}/oauth2/token`],
  });

  async function refusal(promise: Promise<unknown>): Promise<TokenguardError> {
    const error = await promise.then(
      () => assert.fail('expected a refusal'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TokenguardError);
    return error;
  }

  it('client_secret_basic and client_secret_post', async () => {
    const byBasic = await callers.authenticate(request(basic('svc', 'svc-secret')));
    assert.equal(byBasic.kind === 'client' && byBasic.client.clientId, 'svc');
    assert.equal(byBasic.kind === 'client' && byBasic.method, 'client_secret_basic');
    const byPost = await callers.authenticate(
      request(undefined, { client_id: 'svc', client_secret: 'svc-secret' }),
    );
    assert.equal(byPost.kind === 'client' && byPost.method, 'client_secret_post');
  });

  it('one uniform refusal: wrong secret, unknown client, disabled, method not registered', async () => {
    const attempts = [
      request(basic('svc', 'wrong')),
      request(basic('ghost', 'svc-secret')),
      request(basic('off', 's')),
      request(undefined, { client_id: 'basic-only', client_secret: 's' }),
      request(undefined),
    ];
    for (const attempt of attempts) {
      const error = await refusal(callers.authenticate(attempt));
      assert.equal(error.code, 'invalid_client');
      assert.equal(error.httpStatus, 401);
      assert.equal(
        error.toOAuthBody(),
        '{"error":"invalid_client","error_description":"Client authentication failed."}',
      );
      assert.equal(error.headers['www-authenticate'], 'Basic realm="https://idp.example"');
    }
    const lines = logged.join('');
    assert.match(lines, /"reason":"bad client credentials"/);
    assert.doesNotMatch(lines, /svc-secret|wrong/, 'no secret in the log');
  });

  it('a Basic header verified before: same caller, and never for another secret, a new secret or a disabled client', async () => {
    await client({ id: 'rotating', secret: 'first-secret' });
    const header = basic('rotating', 'first-secret');
    const first = await callers.authenticate(request(header));
    const again = await callers.authenticate(request(header));
    assert.deepEqual(again, first);
    assert.equal(again.kind === 'client' && again.client.clientId, 'rotating');
    assert.equal((await callers.authenticate(request(header, { client_id: 'rotating' }))).kind, 'client');
    assert.equal(
      (await refusal(callers.authenticate(request(basic('rotating', 'wrong'))))).code,
      'invalid_client',
    );
    assert.equal(
      (await refusal(callers.authenticate(request(header, {}, FOO_REALM)))).code,
      'invalid_client',
    );
    // The body's own credentials or another client_id are refused as before (RFC 6749 §2.3).
    const twoMethods = request(header, { client_id: 'rotating', client_secret: 'first-secret' });
    assert.equal((await refusal(callers.authenticate(twoMethods))).code, 'invalid_request');
    assert.equal(
      (await refusal(callers.authenticate(request(header, { client_id: 'svc' })))).code,
      'invalid_request',
    );

    await client({ id: 'rotating', secret: 'second-secret' });
    assert.equal((await refusal(callers.authenticate(request(header)))).code, 'invalid_client');
    const rotated = basic('rotating', 'second-secret');
    assert.equal((await callers.authenticate(request(rotated))).kind, 'client');
    const stored = await store.clients.get('default', 'rotating');
    await store.clients.put({ ...stored!, disabled: true });
    assert.equal((await refusal(callers.authenticate(request(rotated)))).code, 'invalid_client');
  });

  it('bearer callers only where accepted: static tokens and access tokens of introspecting clients', async () => {
    const asStatic = await callers.authenticate(request('Bearer static-secret-token'), { bearer: true });
    assert.deepEqual(asStatic, { kind: 'static', name: 'seed', tenant: 'default' });
    const asToken = await callers.authenticate(request('Bearer rs-access-token'), { bearer: true });
    assert.equal(asToken.kind, 'bearer');
    const notHere = await refusal(callers.authenticate(request('Bearer static-secret-token')));
    assert.equal(notHere.code, 'invalid_client');
    const unknown = await refusal(callers.authenticate(request('Bearer nope'), { bearer: true }));
    assert.equal(
      unknown.headers['www-authenticate'],
      'Bearer realm="https://idp.example", error="invalid_token"',
    );
  });

  it('WSO2 Basic users: name@tenant or the realm tenant; only with the introspection permission', async () => {
    const qualified = await callers.authenticate(request(basic('admin@foo.com', 'admin')), { users: true });
    assert.equal(qualified.kind === 'user' && qualified.user.tenant, 'foo.com');
    const local = await callers.authenticate(
      request(basic('admin', 'admin'), {}, { ...REALM, tenant: 'foo.com' }),
      { users: true },
    );
    assert.equal(local.kind === 'user' && local.user.username, 'admin');
    await refusal(callers.authenticate(request(basic('viewer@foo.com', 'admin')), { users: true }));
    await refusal(callers.authenticate(request(basic('admin@foo.com', 'wrong')), { users: true }));
    // Not at endpoints that accept no users.
    await refusal(callers.authenticate(request(basic('admin@foo.com', 'admin'))));
  });

  describe('private_key_jwt', () => {
    const sign = (claims: Record<string, unknown>, exp = NOW / 1000 + 60) =>
      new SignJWT({ jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setIssuer('signer')
        .setSubject('signer')
        .setAudience((claims.aud as string) ?? REALM.issuer)
        .setExpirationTime(exp)
        .sign(signingKey);
    const withAssertion = (assertion: string) =>
      request(undefined, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion });

    it('accepts once; a replay, a long life or a foreign aud is refused', async () => {
      const assertion = await sign({});
      const caller = await callers.authenticate(withAssertion(assertion));
      assert.equal(caller.kind === 'client' && caller.method, 'private_key_jwt');
      await refusal(callers.authenticate(withAssertion(assertion)));
      await refusal(callers.authenticate(withAssertion(await sign({}, NOW / 1000 + 3600))));
      await refusal(callers.authenticate(withAssertion(await sign({ aud: 'https://elsewhere.example' }))));
      const byEndpoint = await callers.authenticate(
        withAssertion(await sign({ aud: `${REALM.issuer}/oauth2/token` })),
      );
      assert.equal(byEndpoint.kind, 'client');
      const lines = logged.join('');
      assert.match(lines, /"reason":"assertion replayed"/);
      assert.match(lines, /"reason":"assertion lives too long"/);
    });

    it('an assertion without iss, or unparsable, is refused without a lookup', async () => {
      await refusal(callers.authenticate(withAssertion('x.y.z')));
      await refusal(callers.authenticate(withAssertion('nodots')));
    });
  });
});

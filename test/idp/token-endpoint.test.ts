/**
 * @module test/idp/token-endpoint.test
 * The token endpoint over HTTP: client_credentials with each client authentication method
 * (client_secret_basic, client_secret_post, private_key_jwt with its replay check and audience rules),
 * scopes, grant errors (RFC 6749 §5.2), the legacy password grant with refresh-token rotation, and the
 * jwt-bearer token exchange of go-authkit.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import type { Idp } from '../../src/idp/server.ts';
import { authkitToken, basic, postForm, seedConfig, startSeedIdp } from './support/seed-idp.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('token endpoint', () => {
  let idp: Idp;
  let privateKey: CryptoKey;
  let publicJwk: JWK;

  before(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    const base = seedConfig();
    idp = await startSeedIdp({
      clients: [
        ...(base.clients ?? []),
        { id: 'jwt-client', jwks: { keys: [publicJwk] }, scopes: ['read'] },
        { id: 'exchanger', secret: 'exchanger-secret', grantTypes: [JWT_BEARER] },
      ],
    });
  });
  after(() => idp.close());

  /** A private_key_jwt assertion of jwt-client; claims override the defaults. */
  function assertion(claims: Record<string, unknown> = {}, lifetime = 60): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('jwt-client')
      .setSubject('jwt-client')
      .setAudience((claims.aud as string | undefined) ?? idp.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(privateKey);
  }

  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${idp.url}/oauth2/token`, form, headers);

  it('client_credentials with client_secret_basic: an RFC 9068 access token for the client', async () => {
    const answer = await token(
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: basic('svc', 'svc-secret') },
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('pragma'), 'no-cache');
    const body = answer.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'read');
    assert.equal(body.refresh_token, undefined, 'RFC 6749 §4.4.3: no refresh token');
    assert.equal(decodeProtectedHeader(body.access_token as string).typ, 'at+jwt');
    const claims = decodeJwt(body.access_token as string);
    for (const claim of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'])
      assert.ok(claim in claims, claim);
    assert.equal(claims.sub, 'svc');
    assert.equal(claims.client_id, 'svc');
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.scope, 'read');
  });

  it('client_secret_post, on the Keycloak path: issuer of the realm', async () => {
    const answer = await postForm(`${idp.url}/realms/default/protocol/openid-connect/token`, {
      grant_type: 'client_credentials',
      client_id: 'svc',
      client_secret: 'svc-secret',
    });
    assert.equal(answer.status, 200);
    assert.equal(decodeJwt(answer.json().access_token as string).iss, `${idp.url}/realms/default`);
  });

  it('a tenant client gets an opaque token under /t/{tenant}/ (WSO2 sample request)', async () => {
    const answer = await postForm(
      `${idp.url}/t/foo.com/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'test1 test2' },
      { authorization: basic('wso2-app', 'wso2-secret') },
    );
    assert.equal(answer.status, 200);
    const body = answer.json();
    assert.equal(body.scope, 'test1 test2');
    assert.ok(!(body.access_token as string).includes('.'), 'opaque');
    assert.ok((body.access_token as string).length >= 43, '256 bits');
    // The client exists only in its tenant.
    const elsewhere = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic('wso2-app', 'wso2-secret') },
    );
    assert.equal(elsewhere.status, 401);
  });

  it('scopes beyond the client, or malformed, are invalid_scope', async () => {
    const beyond = await token(
      { grant_type: 'client_credentials', scope: 'read admin' },
      { authorization: basic('svc', 'svc-secret') },
    );
    assert.equal(beyond.status, 400);
    assert.equal(beyond.json().error, 'invalid_scope');
    const malformed = await token(
      { grant_type: 'client_credentials', scope: 'read "x"' },
      { authorization: basic('svc', 'svc-secret') },
    );
    assert.equal(malformed.json().error, 'invalid_scope');
  });

  it('grant errors: unsupported_grant_type, unauthorized_client, missing grant_type, password off', async () => {
    const auth = { authorization: basic('svc', 'svc-secret') };
    assert.equal(
      (await token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }, auth)).json().error,
      'unsupported_grant_type',
    );
    // authorization_code exists (browser sign-in), but svc is not registered for it.
    assert.equal(
      (await token({ grant_type: 'authorization_code' }, auth)).json().error,
      'unauthorized_client',
    );
    assert.equal(
      (await token({ grant_type: 'password', username: 'a', password: 'b' }, auth)).json().error,
      'unsupported_grant_type',
    );
    const unauthorized = await token({ grant_type: JWT_BEARER, assertion: 'x' }, auth);
    assert.equal(unauthorized.status, 400);
    assert.equal(unauthorized.json().error, 'unauthorized_client');
    const missing = await token({}, auth);
    assert.equal(missing.status, 400);
    assert.equal(missing.json().error, 'invalid_request');
  });

  describe('private_key_jwt (RFC 7523)', () => {
    const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
      token({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
        ...extra,
      });

    it('accepts the issuer identifier and the token endpoint URL as aud', async () => {
      const byIssuer = await withAssertion(await assertion());
      assert.equal(byIssuer.status, 200, byIssuer.text);
      assert.equal(decodeJwt(byIssuer.json().access_token as string).sub, 'jwt-client');
      const byEndpoint = await withAssertion(await assertion({ aud: `${idp.url}/oauth2/token` }), {
        client_id: 'jwt-client',
      });
      assert.equal(byEndpoint.status, 200, byEndpoint.text);
    });

    it('refuses a replayed assertion (jti seen before) with invalid_client', async () => {
      const jwt = await assertion();
      assert.equal((await withAssertion(jwt)).status, 200);
      const replay = await withAssertion(jwt);
      assert.equal(replay.status, 401);
      assert.deepEqual(replay.json(), {
        error: 'invalid_client',
        error_description: 'Client authentication failed.',
      });
    });

    it('refuses a foreign aud, a long life, a missing jti, a wrong key and a client_id mismatch', async () => {
      const foreign = await withAssertion(await assertion({ aud: 'https://other.example' }));
      assert.equal(foreign.status, 401);
      const tooLong = await withAssertion(await assertion({}, 3600));
      assert.equal(tooLong.status, 401);
      const now = Math.floor(Date.now() / 1000);
      const noJti = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('jwt-client')
        .setSubject('jwt-client')
        .setAudience(idp.issuer)
        .setExpirationTime(now + 60)
        .sign(privateKey);
      assert.equal((await withAssertion(noJti)).status, 401);
      const other = await generateKeyPair('ES256');
      const forged = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('jwt-client')
        .setSubject('jwt-client')
        .setAudience(idp.issuer)
        .setExpirationTime(now + 60)
        .sign(other.privateKey);
      assert.equal((await withAssertion(forged)).status, 401);
      const mismatch = await withAssertion(await assertion(), { client_id: 'svc' });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.json().error, 'invalid_request');
    });

    it('also authenticates at the introspection endpoint with the issuer as aud (Keycloak #30599)', async () => {
      const issued = await withAssertion(await assertion());
      const access = issued.json().access_token as string;
      const answer = await postForm(`${idp.url}/oauth2/introspect`, {
        token: access,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(),
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.json().active, true, 'its own token');
    });
  });

  describe('jwt-bearer token exchange (go-authkit CreateToken)', () => {
    it('exchanges an access token of this IdP for a new one of the same subject, with nri on request', async () => {
      const original = await authkitToken(idp, 'user', 'user-pwd');
      const answer = await token(
        { grant_type: JWT_BEARER, assertion: original, not_required_introspection: 'true' },
        { authorization: basic('exchanger', 'exchanger-secret') },
      );
      assert.equal(answer.status, 200, answer.text);
      const exchanged = answer.json().access_token as string;
      assert.notEqual(exchanged, original);
      assert.equal(decodeJwt(exchanged).sub, 'user');
      assert.equal(decodeJwt(exchanged).client_id, 'exchanger');
      assert.equal(decodeProtectedHeader(exchanged).nri, true);
    });

    it('refuses garbage, revoked tokens and a missing assertion', async () => {
      const auth = { authorization: basic('exchanger', 'exchanger-secret') };
      const garbage = await token({ grant_type: JWT_BEARER, assertion: 'not.a.token' }, auth);
      assert.equal(garbage.status, 400);
      assert.equal(garbage.json().error, 'invalid_grant');
      const original = await authkitToken(idp, 'user', 'user-pwd');
      await postForm(
        `${idp.url}/oauth2/revoke`,
        { token: original },
        { authorization: basic('user', 'user-pwd') },
      );
      assert.equal(
        (await token({ grant_type: JWT_BEARER, assertion: original }, auth)).json().error,
        'invalid_grant',
      );
      assert.equal((await token({ grant_type: JWT_BEARER }, auth)).json().error, 'invalid_request');
      const flag = await token(
        { grant_type: JWT_BEARER, assertion: original, not_required_introspection: 'maybe' },
        auth,
      );
      assert.equal(flag.json().error, 'invalid_request');
    });
  });
});

describe('legacy password grant and refresh tokens', () => {
  let idp: Idp;
  before(async () => {
    idp = await startSeedIdp({
      legacy: { passwordGrant: true },
      clients: [
        {
          id: 'legacy-app',
          secret: 'legacy-secret',
          grantTypes: ['password', 'refresh_token'],
          scopes: ['read'],
        },
      ],
      users: [{ username: 'alice', password: 'alice-pwd' }],
    });
  });
  after(() => idp.close());

  const auth = { authorization: basic('legacy-app', 'legacy-secret') };
  const token = (form: Record<string, string>) => postForm(`${idp.url}/oauth2/token`, form, auth);

  it('is advertised only when enabled', async () => {
    const document = (await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string[]
    >;
    assert.ok(document.grant_types_supported.includes('password'));
  });

  it('issues tokens for the user; bad credentials are invalid_grant', async () => {
    const bad = await token({ grant_type: 'password', username: 'alice', password: 'wrong' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error, 'invalid_grant');
    const unknown = await token({ grant_type: 'password', username: 'nobody', password: 'wrong' });
    assert.deepEqual(unknown.json(), bad.json(), 'an unknown user looks the same');
    const good = await token({
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pwd',
      scope: 'read',
    });
    assert.equal(good.status, 200, good.text);
    assert.equal(decodeJwt(good.json().access_token as string).sub, 'alice');
    assert.equal(typeof good.json().refresh_token, 'string');
  });

  it('refresh tokens rotate; reusing a spent one is invalid_grant and kills the family', async () => {
    const first = (await token({ grant_type: 'password', username: 'alice', password: 'alice-pwd' })).json();
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json().refresh_token, first.refresh_token);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    const afterReuse = await token({
      grant_type: 'refresh_token',
      refresh_token: second.json().refresh_token as string,
    });
    assert.equal(afterReuse.json().error, 'invalid_grant', 'the whole family is revoked');
    assert.equal((await token({ grant_type: 'refresh_token' })).json().error, 'invalid_request');
  });
});

/**
 * @module idp/tokens/issue.test
 * Issuance: JWT headers and claims of both claim styles (decoded and checked member by member, byte for
 * byte against seed 000), verification with jose against the published JWKS, opaque tokens (entropy, never
 * stored raw), refresh tokens and the token response.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { tokenDigest } from '../secrets.ts';
import {
  ADMIN_POLICY,
  AUTHKIT_REALM,
  type Fixture,
  jwsSegments,
  RFC9068_REALM,
  START,
  setup,
  UUID,
} from './test-support/fixtures.ts';

describe('DefaultTokenService.issue', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  it('issues an RFC 9068 JWT: header {alg, kid, typ: at+jwt}, the seven required claims and scope', async () => {
    const client = await f.client({ audience: ['https://api.example'] });
    const response = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read', 'write'],
      withRefreshToken: false,
    });
    const { kid } = await f.keys.activeKey('default');
    const { header, payload } = jwsSegments(response.access_token);
    assert.equal(header, JSON.stringify({ alg: 'RS256', kid, typ: 'at+jwt' }));
    const claims = JSON.parse(payload);
    assert.deepEqual(Object.keys(claims), ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope']);
    assert.equal(claims.iss, RFC9068_REALM.issuer);
    assert.equal(claims.sub, 'app');
    assert.equal(claims.aud, 'https://api.example');
    assert.equal(claims.exp, START + 3600);
    assert.equal(claims.iat, START);
    assert.match(claims.jti, UUID);
    assert.equal(claims.client_id, 'app');
    assert.equal(claims.scope, 'read write');
  });

  it('issues JWTs that jose verifies against the published JWKS (RFC 9068 §4 checks)', async () => {
    const client = await f.client({ audience: ['https://api.example'] });
    const { access_token } = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read'],
      withRefreshToken: false,
    });
    const jwks = createLocalJWKSet(await f.keys.jwks('default'));
    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, {
      issuer: RFC9068_REALM.issuer,
      audience: 'https://api.example',
      typ: 'application/at+jwt',
      algorithms: ['RS256'],
      requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
      currentDate: new Date((START + 10) * 1000),
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'app');
  });

  it('uses the issuer as the default audience of RFC 9068 tokens, and requested resources over the default', async () => {
    const client = await f.client({ audience: ['https://default.example'] });
    const issuer = await f.client({ clientId: 'bare' });
    const withDefault = await f.service.issue({
      realm: RFC9068_REALM,
      client: issuer,
      subject: 'bare',
      scope: [],
      withRefreshToken: false,
    });
    assert.equal(JSON.parse(jwsSegments(withDefault.access_token).payload).aud, RFC9068_REALM.issuer);
    const requested = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: [],
      audience: ['https://a.example', 'https://b.example'],
      withRefreshToken: false,
    });
    const claims = JSON.parse(jwsSegments(requested.access_token).payload);
    assert.deepEqual(claims.aud, ['https://a.example', 'https://b.example']);
    assert.equal('scope' in claims, false, 'no scope member without scopes');
  });

  it('issues seed 000 tokens in authkit style: exactly {iss, sub, exp, jti}', async () => {
    const client = await f.client({ clientId: 'idp-test' });
    const user = await f.user({ username: 'user' });
    const response = await f.service.issue({
      realm: AUTHKIT_REALM,
      client,
      subject: 'user',
      user,
      scope: [],
      withRefreshToken: false,
    });
    const { kid } = await f.keys.activeKey('default');
    const { header, payload } = jwsSegments(response.access_token);
    assert.equal(header, `{"alg":"RS256","kid":"${kid}","typ":"at+jwt"}`);
    const { jti } = JSON.parse(payload);
    assert.match(jti, UUID);
    assert.equal(
      payload,
      `{"iss":"http://127.0.0.1:8081","sub":"user","exp":${START + 3600},"jti":"${jti}"}`,
    );
    assert.deepEqual(response, {
      access_token: response.access_token,
      token_type: 'Bearer',
      expires_in: 3600,
    });
  });

  it('writes access policies as the authkit scope array, and aud when the client has audiences', async () => {
    const client = await f.client({ clientId: 'idp-test', audience: ['my_service'] });
    const admin = await f.user({ username: 'admin', policies: [ADMIN_POLICY] });
    const { access_token } = await f.service.issue({
      realm: AUTHKIT_REALM,
      client,
      subject: 'admin',
      user: admin,
      scope: ['read'],
      withRefreshToken: false,
    });
    const { payload } = jwsSegments(access_token);
    const { jti } = JSON.parse(payload);
    assert.equal(
      payload,
      `{"iss":"http://127.0.0.1:8081","sub":"admin","aud":"my_service","exp":${START + 3600},"jti":"${jti}",` +
        '"scope":[{"rn":"my_service","role":"admin"}]}',
    );
  });

  it('in RFC 9068 style puts policies in scope and the OAuth scopes in scp', async () => {
    const client = await f.client({ policies: [ADMIN_POLICY] });
    const { access_token } = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read', 'write'],
      withRefreshToken: false,
    });
    const claims = JSON.parse(jwsSegments(access_token).payload);
    assert.deepEqual(claims.scope, [ADMIN_POLICY]);
    assert.equal(claims.scp, 'read write');
  });

  it('adds the go-authkit nri header when the token needs no introspection', async () => {
    const client = await f.client();
    const { access_token } = await f.service.issue({
      realm: AUTHKIT_REALM,
      client,
      subject: 'app',
      scope: [],
      withRefreshToken: false,
      notRequiredIntrospection: true,
    });
    const header = JSON.parse(jwsSegments(access_token).header);
    assert.deepEqual(Object.keys(header), ['alg', 'kid', 'typ', 'nri']);
    assert.equal(header.nri, true);
  });

  it('stores a record for a JWT under its jti, so it can be revoked and introspected', async () => {
    const client = await f.client();
    const { access_token } = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read'],
      withRefreshToken: false,
    });
    const { jti } = JSON.parse(jwsSegments(access_token).payload);
    const record = await f.store.tokens.get('default', jti);
    assert.ok(record);
    assert.equal(record.kind, 'access');
    assert.equal(record.format, 'jwt');
    assert.equal(record.clientId, 'app');
    assert.equal(record.subject, 'app');
    assert.equal(record.scope, 'read');
    assert.deepEqual(record.audience, [RFC9068_REALM.issuer]);
    assert.equal(record.issuer, RFC9068_REALM.issuer);
    assert.equal(record.issuedAt, START);
    assert.equal(record.expiresAt, START + 3600);
    assert.equal(record.claims.jti, jti);
  });

  it('issues opaque tokens of 256 bits (43 base64url characters), stored only by digest', async () => {
    const client = await f.client({ tokenFormat: 'opaque' });
    const response = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read'],
      withRefreshToken: true,
    });
    assert.match(response.access_token, /^[\w-]{43}$/);
    assert.match(response.refresh_token!, /^[\w-]{43}$/);
    const records = await f.store.tokens.list('default', {});
    assert.equal(records.length, 2);
    const dump = JSON.stringify(records);
    assert.equal(dump.includes(response.access_token), false, 'raw access token stored');
    assert.equal(dump.includes(response.refresh_token!), false, 'raw refresh token stored');
    const access = await f.store.tokens.get('default', tokenDigest(response.access_token));
    assert.equal(access?.format, 'opaque');
    assert.match(String(access?.claims.jti), UUID);
  });

  it('issues a refresh token in the same family when asked and allowed, with the RFC 6749 §5.1 response', async () => {
    const client = await f.client();
    const response = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read'],
      withRefreshToken: true,
    });
    assert.deepEqual(Object.keys(response), [
      'access_token',
      'token_type',
      'expires_in',
      'refresh_token',
      'scope',
    ]);
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.expires_in, 3600);
    assert.equal(response.scope, 'read');
    const refresh = await f.store.tokens.get('default', tokenDigest(response.refresh_token!));
    const access = await f.service.find(RFC9068_REALM, response.access_token);
    assert.equal(refresh?.kind, 'refresh');
    assert.equal(refresh?.format, 'opaque');
    assert.equal(refresh?.expiresAt, START + 86_400);
    assert.equal(refresh?.familyId, access?.familyId);
    assert.equal(refresh?.parentId, undefined);
  });

  it('issues no refresh token when not asked, when the client has no refresh lifetime or grant type', async () => {
    const request = { realm: RFC9068_REALM, subject: 'app', scope: [] };
    const cases = [
      { client: await f.client(), withRefreshToken: false },
      { client: await f.client({ clientId: 'no-ttl', refreshTokenTtl: 0 }), withRefreshToken: true },
      {
        client: await f.client({ clientId: 'no-grant', grantTypes: ['client_credentials'] }),
        withRefreshToken: true,
      },
    ];
    for (const { client, withRefreshToken } of cases) {
      const response = await f.service.issue({ ...request, client, withRefreshToken });
      assert.equal('refresh_token' in response, false, client.clientId);
      assert.equal('scope' in response, false, 'no scope member without scopes');
    }
  });

  it('starts a new family for every grant', async () => {
    const client = await f.client({ tokenFormat: 'opaque' });
    const request = { realm: RFC9068_REALM, client, subject: 'app', scope: [], withRefreshToken: false };
    const one = await f.service.find(RFC9068_REALM, (await f.service.issue(request)).access_token);
    const two = await f.service.find(RFC9068_REALM, (await f.service.issue(request)).access_token);
    assert.notEqual(one?.familyId, two?.familyId);
  });
});

/**
 * @module test/idp/seed-000.test
 * Seed 000's curl transcript against the IdP's authkit profile, replayed with fetch: tokens by Basic
 * credentials without grant_type, introspection with the static bearer token, admin2's role added only
 * by introspection, and the library of this project authenticating against the IdP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Idp } from '../../src/idp/server.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import {
  ADMIN_POLICY,
  authkitToken,
  basic,
  postForm,
  STATIC_TOKEN,
  startSeedIdp,
} from './support/seed-idp.ts';

describe('seed 000 transcript', () => {
  let idp: Idp;
  before(async () => {
    idp = await startSeedIdp();
  });
  after(() => idp.close());

  it('curl -XPOST -u user:user-pwd …/idp/token answers a JWT valid for 3600 s', async () => {
    // curl -XPOST without -d sends neither a body nor a Content-Type.
    const response = await fetch(`${idp.url}/idp/token`, {
      method: 'POST',
      headers: { authorization: basic('user', 'user-pwd') },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.expires_in, 3600);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.access_token, 'string');
    const header = decodeProtectedHeader(body.access_token as string);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    const claims = decodeJwt(body.access_token as string);
    assert.deepEqual(Object.keys(claims).sort(), ['exp', 'iss', 'jti', 'sub']);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.sub, 'user');
  });

  it('wrong or missing credentials → 401', async () => {
    const wrong = await fetch(`${idp.url}/idp/token`, {
      method: 'POST',
      headers: { authorization: basic('user', 'nope') },
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic realm="/);
    const none = await fetch(`${idp.url}/idp/token`, { method: 'POST' });
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), {
      error: 'invalid_client',
      error_description: 'Client authentication failed.',
    });
  });

  it('introspection with the static bearer: {"active":true,"iss","sub":"user","exp","jti"}', async () => {
    const token = await authkitToken(idp, 'user', 'user-pwd');
    const answer = await postForm(
      `${idp.url}/idp/introspect_token`,
      { token },
      { authorization: `Bearer ${STATIC_TOKEN}` },
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = answer.json();
    const claims = decodeJwt(token);
    assert.deepEqual(body, { active: true, iss: idp.issuer, sub: 'user', exp: claims.exp, jti: claims.jti });
  });

  it('admin has its policy in the token; admin2 gets it only through introspection', async () => {
    const adminToken = await authkitToken(idp, 'admin', 'admin-pwd');
    assert.deepEqual(decodeJwt(adminToken).scope, [ADMIN_POLICY]);
    const admin2Token = await authkitToken(idp, 'admin2', 'admin2-pwd');
    assert.equal(decodeJwt(admin2Token).scope, undefined, 'lightweight token: no policies inside');
    const answer = await postForm(
      `${idp.url}/idp/introspect_token`,
      { token: admin2Token },
      { authorization: `Bearer ${STATIC_TOKEN}` },
    );
    assert.deepEqual(answer.json().scope, [ADMIN_POLICY]);
    assert.equal(answer.json().sub, 'admin2');
  });

  it('introspection without the static token → 401; an unknown token → {"active":false}', async () => {
    const token = await authkitToken(idp, 'user', 'user-pwd');
    const anonymous = await postForm(`${idp.url}/idp/introspect_token`, { token });
    assert.equal(anonymous.status, 401);
    const wrongBearer = await postForm(
      `${idp.url}/idp/introspect_token`,
      { token },
      { authorization: 'Bearer not-the-token' },
    );
    assert.equal(wrongBearer.status, 401);
    assert.match(
      wrongBearer.headers.get('www-authenticate') ?? '',
      /^Bearer realm=".*", error="invalid_token"$/,
    );
    const unknown = await postForm(
      `${idp.url}/idp/introspect_token`,
      { token: 'eyJ.bogus.token' },
      { authorization: `Bearer ${STATIC_TOKEN}` },
    );
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.json(), { active: false });
  });

  it('the library authenticates a request by introspecting at this IdP (scope filter of seed 000)', async () => {
    const authenticator = createAuthenticator({
      config: {
        introspection: {
          endpoint: `${idp.url}/idp/introspect_token`,
          clientAuth: { method: 'bearer', accessToken: STATIC_TOKEN },
          scopeFilter: [{ rn: 'my_service' }],
        },
        jwt: { trustedIssuerUrls: [idp.issuer] },
      },
    });
    try {
      const token = await authkitToken(idp, 'admin2', 'admin2-pwd');
      const principal = await authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } });
      assert.equal(principal.subject, 'admin2');
      assert.equal(principal.method, 'introspection');
      assert.deepEqual(principal.accessPolicies, [ADMIN_POLICY]);
    } finally {
      await authenticator.close();
    }
  });
});

/**
 * @module test/idp/introspection.test
 * RFC 7662 introspection and RFC 7009 revocation over HTTP: caller authentication (401 with a challenge),
 * the missing-token error in RFC and WSO2 style, WSO2's tenant path with a Basic user (`admin@foo.com`),
 * tenant isolation and WSO2's `allow_cross_tenant`, bearer-token callers, revocation then `{active:false}`,
 * RFC 9701 signed answers verified with jose, Keycloak RPT permissions, and the per-caller rate limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Idp } from '../../src/idp/server.ts';
import { ADMIN_POLICY, authkitToken, basic, postForm, seedConfig, startSeedIdp } from './support/seed-idp.ts';

const PERMISSION = { resource_id: '90ccc6fc', resource_name: 'Hello World Resource' };

describe('introspection and revocation', () => {
  let idp: Idp;
  before(async () => {
    const base = seedConfig();
    idp = await startSeedIdp({
      clients: [
        ...(base.clients ?? []),
        { id: 'rs', secret: 'rs-secret', canIntrospect: true },
        { id: 'uma', secret: 'uma-secret', permissions: [PERMISSION] },
      ],
    });
  });
  after(() => idp.close());

  async function clientToken(id: string, secret: string, path = '/oauth2/token'): Promise<string> {
    const answer = await postForm(
      `${idp.url}${path}`,
      { grant_type: 'client_credentials' },
      { authorization: basic(id, secret) },
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json().access_token as string;
  }

  const introspect = (
    token: string,
    headers: Record<string, string>,
    path = '/oauth2/introspect',
    extra = {},
  ) => postForm(`${idp.url}${path}`, { token, ...extra }, headers);

  it('a client introspects its own token (RFC 9068 members, no-store)', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const answer = await introspect(token, { authorization: basic('svc', 'svc-secret') });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = answer.json();
    assert.equal(body.active, true);
    assert.equal(body.client_id, 'svc');
    assert.equal(body.sub, 'svc');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.iss, idp.issuer);
  });

  it('caller failures are 401 with a challenge; no caller learns anything', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^Basic realm=/],
      [{ authorization: basic('svc', 'wrong') }, /^Basic realm=/],
      [{ authorization: basic('ghost', 'x') }, /^Basic realm=/],
      [{ authorization: 'Bearer unknown-token' }, /^Bearer realm=".*", error="invalid_token"$/],
      // A valid access token whose client lacks the introspection permission (RFC 7662 §2.3).
      [{ authorization: `Bearer ${token}` }, /^Bearer realm=".*", error="invalid_token"$/],
    ];
    for (const [headers, challenge] of cases) {
      const answer = await introspect(token, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.json().error, 'invalid_client');
      assert.match(answer.headers.get('www-authenticate') ?? '', challenge);
    }
  });

  it('a bearer access token of a client with the introspection permission may introspect', async () => {
    const callerToken = await clientToken('rs', 'rs-secret');
    const token = await clientToken('svc', 'svc-secret');
    const answer = await introspect(token, { authorization: `Bearer ${callerToken}` });
    assert.equal(answer.status, 200);
    assert.equal(answer.json().active, true);
  });

  it('a client may not see other clients’ tokens (Keycloak audience rule): {"active":false}', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const answer = await introspect(token, { authorization: basic('user', 'user-pwd') });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { active: false });
  });

  it('a missing or empty token is 400 invalid_request; unknown hints are ignored', async () => {
    const auth = { authorization: basic('svc', 'svc-secret') };
    const missing = await postForm(`${idp.url}/oauth2/introspect`, {}, auth);
    assert.equal(missing.status, 400);
    assert.equal(missing.json().error, 'invalid_request');
    const empty = await postForm(`${idp.url}/t/foo.com/oauth2/introspect`, 'token=', {
      authorization: basic('admin@foo.com', 'admin'),
    });
    assert.equal(empty.status, 400);
    assert.equal(empty.json().error, 'invalid_request', 'RFC style unless errorStyle is wso2');
    const token = await clientToken('svc', 'svc-secret');
    const hinted = await introspect(token, auth, '/oauth2/introspect', { token_type_hint: 'no_such_type' });
    assert.equal(hinted.json().active, true);
  });

  it('WSO2: /t/foo.com/oauth2/introspect with the Basic user admin@foo.com', async () => {
    const token = await clientToken('wso2-app', 'wso2-secret', '/t/foo.com/oauth2/token');
    const answer = await introspect(
      token,
      { authorization: basic('admin@foo.com', 'admin') },
      '/t/foo.com/oauth2/introspect',
    );
    assert.equal(answer.status, 200);
    const body = answer.json();
    assert.equal(body.active, true);
    assert.equal(body.client_id, 'wso2-app');
    assert.equal(body.token_type, 'Bearer');
    // The user name alone works at its own tenant's path; a wrong password does not.
    assert.equal(
      (
        await introspect(token, { authorization: basic('admin', 'admin') }, '/t/foo.com/oauth2/introspect')
      ).json().active,
      true,
    );
    assert.equal(
      (
        await introspect(
          token,
          { authorization: basic('admin@foo.com', 'nope') },
          '/t/foo.com/oauth2/introspect',
        )
      ).status,
      401,
    );
    // An invalid token: {'active':false}.
    const invalid = await introspect(
      'fbc4e794-23db-3394-b1e5-f2c3e511d01f',
      { authorization: basic('admin@foo.com', 'admin') },
      '/t/foo.com/oauth2/introspect',
    );
    assert.deepEqual(invalid.json(), { active: false });
  });

  it('cross-tenant introspection is refused, then allowed once the tenant enables it', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const asTenantUser = { authorization: basic('admin@foo.com', 'admin') };
    assert.deepEqual((await introspect(token, asTenantUser)).json(), { active: false });
    const tenant = await idp.store.tenants.get('default');
    assert.ok(tenant);
    await idp.store.tenants.put({ ...tenant, allowCrossTenantIntrospection: true });
    try {
      const allowed = await introspect(token, asTenantUser);
      assert.equal(allowed.json().active, true);
      assert.equal(allowed.json().client_id, 'svc');
    } finally {
      await idp.store.tenants.put(tenant);
    }
  });

  it('revocation: 200 with an empty body; then the token is inactive; foreign and unknown tokens are 200 no-ops', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const auth = { authorization: basic('svc', 'svc-secret') };
    const foreign = await postForm(
      `${idp.url}/oauth2/revoke`,
      { token },
      { authorization: basic('user', 'user-pwd') },
    );
    assert.equal(foreign.status, 200);
    assert.equal((await introspect(token, auth)).json().active, true, 'another client cannot revoke it');
    const revoked = await postForm(
      `${idp.url}/oauth2/revoke`,
      { token, token_type_hint: 'access_token' },
      auth,
    );
    assert.equal(revoked.status, 200);
    assert.equal(revoked.text, '');
    assert.equal(revoked.headers.get('cache-control'), 'no-store');
    assert.deepEqual((await introspect(token, auth)).json(), { active: false });
    const unknown = await postForm(
      `${idp.url}/oauth2/revoke`,
      { token: 'no-such-token', token_type_hint: 'refresh_token' },
      auth,
    );
    assert.equal(unknown.status, 200);
    const anonymous = await postForm(`${idp.url}/oauth2/revoke`, { token });
    assert.equal(anonymous.status, 401);
    // Keycloak path, same effect.
    const other = await clientToken('svc', 'svc-secret');
    await postForm(`${idp.url}/realms/default/protocol/openid-connect/revoke`, { token: other }, auth);
    assert.deepEqual((await introspect(other, auth)).json(), { active: false });
  });

  it('RFC 9701: Accept: application/token-introspection+jwt → a JWT verified with the JWKS', async () => {
    const token = await clientToken('svc', 'svc-secret');
    const answer = await introspect(token, {
      authorization: basic('svc', 'svc-secret'),
      accept: 'application/token-introspection+jwt',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/token-introspection+jwt');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const jwks = createLocalJWKSet((await (await fetch(`${idp.url}/oauth2/jwks`)).json()) as never);
    const { payload, protectedHeader } = await jwtVerify(answer.text, jwks, {
      issuer: idp.issuer,
      audience: 'svc',
      typ: 'token-introspection+jwt',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal((payload.token_introspection as Record<string, unknown>).active, true);
    assert.equal((payload.token_introspection as Record<string, unknown>).client_id, 'svc');
    assert.equal(payload.sub, undefined, 'RFC 9701 §5: no top-level sub');
    assert.equal(payload.exp, undefined, 'RFC 9701 §5: no top-level exp');
    // JSON when JSON is preferred.
    const json = await introspect(token, {
      authorization: basic('svc', 'svc-secret'),
      accept: 'application/json, application/token-introspection+jwt;q=0.5',
    });
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(json.json().active, true);
  });

  it('Keycloak RPT: token_type_hint=requesting_party_token adds permissions; the realm path works', async () => {
    const token = await clientToken('uma', 'uma-secret', '/realms/default/protocol/openid-connect/token');
    const answer = await introspect(
      token,
      { authorization: basic('uma', 'uma-secret') },
      '/realms/default/protocol/openid-connect/token/introspect',
      { token_type_hint: 'requesting_party_token' },
    );
    assert.equal(answer.json().active, true);
    assert.deepEqual(answer.json().permissions, [PERMISSION]);
  });

  it('go-authkit scope_filter[i].rn keeps only the named namespaces', async () => {
    const token = await authkitToken(idp, 'admin', 'admin-pwd');
    const auth = { authorization: 'Bearer access-token-with-introspection-permission' };
    const kept = await introspect(token, auth, '/idp/introspect_token', {
      'scope_filter[0].rn': 'my_service',
    });
    assert.deepEqual(kept.json().scope, [ADMIN_POLICY]);
    const dropped = await introspect(token, auth, '/idp/introspect_token', { 'scope_filter[0].rn': 'other' });
    assert.equal(dropped.json().active, true);
    assert.notDeepEqual(dropped.json().scope, [ADMIN_POLICY]);
  });
});

describe('introspection options', () => {
  it('errorStyle wso2: a missing token on the standard profile is {"error":"Invalid input"}', async () => {
    const idp = await startSeedIdp({ introspection: { errorStyle: 'wso2' } });
    try {
      const user = { authorization: basic('admin@foo.com', 'admin') };
      for (const path of ['/t/foo.com/oauth2/introspect', '/oauth2/introspect']) {
        const answer = await postForm(`${idp.url}${path}`, 'token=', user);
        assert.equal(answer.status, 400);
        assert.deepEqual(answer.json(), { error: 'Invalid input' });
      }
      const keycloak = await postForm(
        `${idp.url}/realms/foo.com/protocol/openid-connect/token/introspect`,
        'token=',
        user,
      );
      assert.equal(keycloak.status, 400);
      assert.equal(keycloak.json().error, 'invalid_request', 'other profiles keep the RFC error');
    } finally {
      await idp.close();
    }
  });

  it('rate limit: a caller past its burst gets 429 slow_down with Retry-After; others are unaffected', async () => {
    const idp = await startSeedIdp({ introspection: { rateLimit: { perCaller: 1, burst: 3 } } });
    try {
      const svc = { authorization: basic('svc', 'svc-secret') };
      const statuses: number[] = [];
      for (let index = 0; index < 4; index++) {
        statuses.push((await postForm(`${idp.url}/oauth2/introspect`, { token: 'x' }, svc)).status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const limited = await postForm(`${idp.url}/oauth2/introspect`, { token: 'x' }, svc);
      assert.equal(limited.status, 429);
      assert.equal(limited.json().error, 'slow_down');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      const other = await postForm(
        `${idp.url}/oauth2/introspect`,
        { token: 'x' },
        { authorization: basic('user', 'user-pwd') },
      );
      assert.equal(other.status, 200);
    } finally {
      await idp.close();
    }
  });
});

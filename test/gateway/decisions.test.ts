/**
 * @module test/gateway/decisions.test
 * The decision endpoint on the API listener against the seed-000 IdP, as nginx `auth_request`, Traefik
 * ForwardAuth and Envoy ext_authz call it: the judged request described by `X-Forwarded-Method`, `-Host`
 * and `-Uri` (or by the path after `/decisions`), 200 with the identity headers and an empty body, 401 and
 * 403 with the error body and challenge, 200 for public routes, 404 when no route matches, counted in
 * `/metrics` by outcome.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../src/idp/server.ts';
import { authkitToken, startSeedIdp } from '../idp/support/seed-idp.ts';
import { bearer, call, seedAuth, startGateway, type TestGateway } from './support/harness.ts';

describe('decision endpoint', () => {
  let idp: Idp;
  let gw: TestGateway;
  let userToken: string;
  let admin2Token: string;

  before(async () => {
    idp = await startSeedIdp();
    gw = await startGateway({
      authenticators: { idp: seedAuth(idp) },
      routes: [
        {
          name: 'admin',
          match: { pathPrefix: '/admin', methods: ['DELETE'] },
          auth: { roles: ['my_service/admin'] },
          forward: { headers: { 'X-User-Id': 'sub' } },
        },
        { name: 'internal', match: { hosts: ['internal.example'] }, auth: {} },
        { name: 'public', match: { pathPrefix: '/public' }, auth: 'public' },
        {
          name: 'api',
          match: { pathPrefix: '/api' },
          forward: {
            headers: { 'X-User-Id': 'sub', 'X-Issuer': 'iss' },
            phantomToken: { enabled: true, header: 'X-Id-Token' },
          },
        },
      ],
    });
    userToken = await authkitToken(idp, 'user', 'user-pwd');
    admin2Token = await authkitToken(idp, 'admin2', 'admin2-pwd');
  });

  after(async () => {
    await gw?.close();
    await idp?.close();
  });

  it('200 with the identity headers and no body (path after /decisions)', async () => {
    const reply = await call(`${gw.api}/decisions/api/orders?x=1`, { headers: bearer(userToken) });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '');
    assert.equal(reply.headers.get('content-length'), '0');
    assert.equal(reply.headers.get('x-user-id'), 'user');
    assert.equal(reply.headers.get('x-issuer'), idp.url);
    assert.match(reply.headers.get('x-id-token') ?? '', /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('judges the request named by X-Forwarded-Method, -Host and -Uri', async () => {
    const judged = (method: string, uri: string, token: string, host = 'gateway.example') =>
      call(`${gw.api}/decisions`, {
        headers: {
          ...bearer(token),
          'x-forwarded-method': method,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': host,
          'x-forwarded-uri': uri,
        },
      });
    const allowed = await judged('DELETE', '/admin/users/1', admin2Token);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('x-user-id'), 'admin2');

    const forbidden = await judged('DELETE', '/admin/users/1', userToken);
    assert.equal(forbidden.status, 403);
    assert.equal(
      forbidden.headers.get('www-authenticate'),
      'Bearer realm="MyService", error="insufficient_scope"',
    );
    assert.equal((forbidden.json().error as { code: string }).code, 'authorizationFailed');

    assert.equal(
      (await judged('GET', '/admin/users/1', userToken)).status,
      404,
      'the admin route is DELETE only',
    );
    assert.equal((await judged('GET', '/x', userToken, 'internal.example:443')).status, 200);
    assert.equal((await judged('GET', '/x', userToken)).status, 404);
  });

  it('401 with the challenge and body when the token is missing or not active', async () => {
    const missing = await call(`${gw.api}/decisions/api`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="MyService"');
    assert.equal((missing.json().error as { code: string }).code, 'bearerTokenMissing');
    const inactive = await call(`${gw.api}/decisions/api`, { headers: bearer('made-up') });
    assert.equal(inactive.status, 401);
    assert.equal(inactive.headers.get('www-authenticate'), 'Bearer realm="MyService", error="invalid_token"');
  });

  it('200 for a public route, 404 routeNotFound for no route', async () => {
    const open = await call(`${gw.api}/decisions/public/page`, { method: 'POST' });
    assert.equal(open.status, 200);
    assert.equal(open.text, '');
    const none = await call(`${gw.api}/decisions/elsewhere`, { headers: bearer(userToken) });
    assert.equal(none.status, 404);
    assert.equal((none.json().error as { code: string }).code, 'routeNotFound');
  });

  it('counts decisions by outcome in /metrics', async () => {
    const text = (await call(`${gw.api}/metrics`)).text;
    assert.match(text, /tokenguard_gateway_decisions_total\{outcome="allowed"\} [1-9]/);
    assert.match(text, /tokenguard_gateway_decisions_total\{outcome="forbidden"\} [1-9]/);
    assert.match(text, /tokenguard_gateway_decisions_total\{outcome="unauthorized"\} [1-9]/);
    assert.match(text, /tokenguard_gateway_decisions_total\{outcome="not_found"\} [1-9]/);
  });
});

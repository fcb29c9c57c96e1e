/**
 * @module test/gateway/proxy-auth.test
 * End to end through the proxy listener: the seed-000 IdP (createIdp, introspection with its static token),
 * a recording upstream and a gateway on loopback. Valid tokens reach the upstream with identity headers and
 * without the credential; missing and inactive tokens get 401 with RFC 6750 challenges; each route check
 * (scopes AND/OR, audiences any/all, issuers, roles, claim rules) answers 403 when it fails; an unreachable
 * IdP is 503 with Retry-After; spoofed identity headers never reach the upstream; the whole answer travels
 * as base64url JSON; phantom tokens verify against the gateway's JWKS; token sources per route (query,
 * cookie, form body) are stripped before forwarding; WebSocket upgrades go through the same checks.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { RouteConfigInput } from '../../src/gateway/config/schema.ts';
import type { Idp } from '../../src/idp/server.ts';
import { authkitToken, basic, postForm, startSeedIdp } from '../idp/support/seed-idp.ts';
import { closedPortUrl, closeServer, listen } from '../support/loopback.ts';
import {
  bearer,
  call,
  type RecordingUpstream,
  seedAuth,
  startGateway,
  startUpstream,
  type TestGateway,
} from './support/harness.ts';

const SVC = {
  id: 'svc',
  secret: 'svc-secret',
  scopes: ['read', 'write'],
  grantTypes: ['client_credentials' as const],
};

/** A client-credentials token of `svc` with `scope`, audience `orders billing`. */
async function svcToken(idp: Idp, scope: string): Promise<string> {
  const answer = await postForm(
    `${idp.url}/oauth2/token`,
    { grant_type: 'client_credentials', scope },
    { authorization: basic(SVC.id, SVC.secret) },
  );
  assert.equal(answer.status, 200, answer.text);
  return answer.json().access_token as string;
}

function decodeUserinfo(value: string | undefined): Record<string, unknown> {
  assert.ok(value, 'the introspection header was sent');
  return JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
}

describe('gateway proxy with introspection at the seed-000 IdP', () => {
  let idp: Idp;
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  let userToken: string;
  let admin2Token: string;
  let readToken: string;
  let readWriteToken: string;
  let wsUpstream: Server;

  before(async () => {
    // An upstream that accepts WebSocket upgrades, says which user header it saw, and echoes bytes.
    wsUpstream = createServer();
    wsUpstream.on('upgrade', (request, socket: Socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n' +
          `x-seen-user: ${request.headers['x-user-id'] ?? ''}\r\n\r\n`,
      );
      socket.on('data', (chunk) => socket.write(chunk));
      // node's server sockets are half-open: close ours when the gateway closes its side
      socket.on('end', () => socket.end());
    });
    const wsUrl = await listen(wsUpstream);
    idp = await startSeedIdp({
      clients: [
        { id: 'user', secret: 'user-pwd' },
        { id: 'admin2', secret: 'admin2-pwd', introspectionPolicies: [{ rn: 'my_service', role: 'admin' }] },
        { ...SVC, audience: ['orders', 'billing'] },
      ],
    });
    upstream = await startUpstream();
    const urls = [upstream.url];
    const route = (
      name: string,
      auth: RouteConfigInput['auth'],
      extra: Partial<RouteConfigInput> = {},
    ): RouteConfigInput => ({
      name,
      match: { pathPrefix: `/${name}` },
      upstream: { urls },
      auth,
      ...extra,
    });
    gw = await startGateway({
      authenticators: { idp: seedAuth(idp) },
      routes: [
        route('public', 'public'),
        route(
          'whoami',
          {},
          {
            forward: {
              headers: { 'X-User-Id': 'sub', 'X-Client': 'client_id' },
              introspectionHeader: 'X-Userinfo',
            },
          },
        ),
        route('keep', {}, { forward: { credential: 'keep' } }),
        route('scopes-and', { scopes: ['read write'] }),
        route('scopes-or', { scopes: ['read write', 'read'] }),
        route('aud-any', { audiences: { values: ['orders', 'shipping'] } }),
        route('aud-all', { audiences: { values: ['orders', 'shipping'], match: 'all' } }),
        route('iss-ok', { issuers: [idp.url] }),
        route('iss-bad', { issuers: ['https://elsewhere.example'] }),
        route('roles', { roles: ['my_service/admin'] }),
        route('claims', { claims: 'Equals("client_id", "svc") && SplitContains("scope", " ", "write")' }),
        route(
          'worded',
          { scopes: ['admin'] },
          {
            errors: { unauthorizedMessage: 'Please sign in.', forbiddenMessage: 'Not for you.' },
          },
        ),
        route(
          'phantom',
          { audiences: { values: ['orders'] } },
          { forward: { phantomToken: { enabled: true, ttl: '30s' }, headers: { 'X-User-Id': 'sub' } } },
        ),
        route('query', { tokenSources: { header: { enabled: false }, query: { enabled: true } } }),
        route('cookie', {
          tokenSources: { header: { enabled: false }, cookie: { enabled: true, name: 'tg' } },
        }),
        route('form', { tokenSources: { body: { enabled: true } } }),
        { ...route('ws', {}, { forward: { headers: { 'X-User-Id': 'sub' } } }), upstream: { urls: [wsUrl] } },
      ],
    });
    userToken = await authkitToken(idp, 'user', 'user-pwd');
    admin2Token = await authkitToken(idp, 'admin2', 'admin2-pwd');
    readToken = await svcToken(idp, 'read');
    readWriteToken = await svcToken(idp, 'read write');
  });

  after(async () => {
    await gw?.close();
    if (wsUpstream) await closeServer(wsUpstream);
    await upstream?.close();
    await idp?.close();
  });

  it('forwards a valid token with the identity headers and without the credential', async () => {
    const reply = await call(`${gw.url}/whoami/x?a=1`, { headers: bearer(userToken) });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), { upstream: 'upstream', url: '/whoami/x?a=1' });
    const seen = upstream.last().headers;
    assert.equal(seen['x-user-id'], 'user');
    assert.equal(seen['x-client'], undefined, 'a missing claim sets no header');
    assert.equal(seen.authorization, undefined, 'the token is stripped');
    assert.equal(seen['x-request-id'], reply.headers.get('x-request-id'));
    const userinfo = decodeUserinfo(seen['x-userinfo'] as string);
    assert.equal(userinfo.active, true);
    assert.equal(userinfo.sub, 'user');
    assert.deepEqual(userinfo, { ...userinfo, iss: idp.url, exp: decodeJwt(userToken).exp });
  });

  it('keeps the credential when the route says so', async () => {
    assert.equal((await call(`${gw.url}/keep`, { headers: bearer(userToken) })).status, 200);
    assert.equal(upstream.last().headers.authorization, `Bearer ${userToken}`);
  });

  it('401 without a token: seed 000 body and a bare Bearer challenge', async () => {
    const before = upstream.requests.length;
    const reply = await call(`${gw.url}/whoami`);
    assert.equal(reply.status, 401);
    assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="MyService"');
    assert.deepEqual(reply.json(), {
      error: {
        domain: 'MyService',
        code: 'bearerTokenMissing',
        message: 'Authorization bearer token is missing.',
      },
    });
    assert.equal(upstream.requests.length, before, 'nothing reached the upstream');
  });

  it('401 invalid_token for a token the IdP says is not active', async () => {
    const reply = await call(`${gw.url}/whoami`, { headers: bearer('not-a-token-the-idp-knows') });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="MyService", error="invalid_token"');
    assert.equal(reply.json().error && (reply.json().error as { code: string }).code, 'authenticationFailed');
  });

  it('scopes: a space-separated item needs every scope (AND), items are alternatives (OR)', async () => {
    const denied = await call(`${gw.url}/scopes-and`, { headers: bearer(readToken) });
    assert.equal(denied.status, 403);
    assert.equal(
      denied.headers.get('www-authenticate'),
      'Bearer realm="MyService", error="insufficient_scope", scope="read write"',
    );
    assert.equal((denied.json().error as { code: string }).code, 'authorizationFailed');
    assert.equal((await call(`${gw.url}/scopes-and`, { headers: bearer(readWriteToken) })).status, 200);
    assert.equal((await call(`${gw.url}/scopes-or`, { headers: bearer(readToken) })).status, 200);
    assert.equal((await call(`${gw.url}/scopes-or`, { headers: bearer(userToken) })).status, 403);
  });

  it('audiences: any of them, or all of them', async () => {
    assert.equal((await call(`${gw.url}/aud-any`, { headers: bearer(readToken) })).status, 200);
    assert.equal((await call(`${gw.url}/aud-any`, { headers: bearer(userToken) })).status, 403);
    assert.equal((await call(`${gw.url}/aud-all`, { headers: bearer(readToken) })).status, 403);
  });

  it('issuers, roles (access policy granted by introspection) and claim rules', async () => {
    assert.equal((await call(`${gw.url}/iss-ok`, { headers: bearer(userToken) })).status, 200);
    assert.equal((await call(`${gw.url}/iss-bad`, { headers: bearer(userToken) })).status, 403);
    assert.equal((await call(`${gw.url}/roles`, { headers: bearer(admin2Token) })).status, 200);
    assert.equal((await call(`${gw.url}/roles`, { headers: bearer(userToken) })).status, 403);
    assert.equal((await call(`${gw.url}/claims`, { headers: bearer(readWriteToken) })).status, 200);
    assert.equal((await call(`${gw.url}/claims`, { headers: bearer(readToken) })).status, 403);
    assert.equal((await call(`${gw.url}/claims`, { headers: bearer(userToken) })).status, 403);
  });

  it('checks run on every request: a cached answer does not pass another route', async () => {
    assert.equal((await call(`${gw.url}/whoami`, { headers: bearer(readToken) })).status, 200);
    assert.equal((await call(`${gw.url}/scopes-and`, { headers: bearer(readToken) })).status, 403);
    assert.equal((await call(`${gw.url}/scopes-and`, { headers: bearer(readToken) })).status, 403);
  });

  it("uses the route's messages in 401 and 403 bodies", async () => {
    const missing = await call(`${gw.url}/worded`);
    assert.equal((missing.json().error as { message: string }).message, 'Please sign in.');
    const forbidden = await call(`${gw.url}/worded`, { headers: bearer(userToken) });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.json().error as { message: string }).message, 'Not for you.');
  });

  it('never forwards client copies of identity headers, on public and protected routes', async () => {
    const spoofed = {
      'x-user-id': 'admin',
      'X-Client': 'evil',
      'x-userinfo': Buffer.from('{"sub":"admin"}').toString('base64url'),
    };
    assert.equal((await call(`${gw.url}/public/a`, { headers: spoofed })).status, 200);
    let seen = upstream.last().headers;
    assert.equal(seen['x-user-id'], undefined);
    assert.equal(seen['x-client'], undefined);
    assert.equal(seen['x-userinfo'], undefined);

    assert.equal(
      (await call(`${gw.url}/keep`, { headers: { ...spoofed, ...bearer(userToken) } })).status,
      200,
    );
    seen = upstream.last().headers;
    assert.equal(seen['x-user-id'], undefined);
    assert.equal(seen['x-userinfo'], undefined);

    assert.equal(
      (await call(`${gw.url}/whoami`, { headers: { ...spoofed, ...bearer(userToken) } })).status,
      200,
    );
    seen = upstream.last().headers;
    assert.equal(seen['x-user-id'], 'user');
    assert.equal(seen['x-client'], undefined, 'a claim the token lacks does not let the client copy through');
    assert.equal(decodeUserinfo(seen['x-userinfo'] as string).sub, 'user');
  });

  it('sends a phantom token that verifies against the gateway JWKS, never past the token exp', async () => {
    const reply = await call(`${gw.url}/phantom`, { headers: bearer(readToken) });
    assert.equal(reply.status, 200);
    const seen = upstream.last().headers;
    const value = String(seen.authorization);
    assert.match(value, /^Bearer ey/);
    assert.notEqual(value, `Bearer ${readToken}`);
    const jwks = createRemoteJWKSet(new URL(`${gw.api}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(value.slice(7), jwks, {
      issuer: gw.api,
      audience: 'orders',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, 'svc');
    assert.equal(payload.client_id, 'svc');
    assert.equal(payload.scope, 'read');
    assert.ok((payload.exp as number) - (payload.iat as number) <= 30);
    assert.ok((payload.exp as number) <= (decodeJwt(readToken).exp as number));
    assert.equal(seen['x-user-id'], 'svc');
  });

  it('reads the token from the query string on a query route, and removes it', async () => {
    const reply = await call(`${gw.url}/query/a?x=1&access_token=${userToken}&y=2`);
    assert.equal(reply.status, 200);
    assert.equal(upstream.last().url, '/query/a?x=1&y=2');
    assert.equal((await call(`${gw.url}/query/a`, { headers: bearer(userToken) })).status, 401);
  });

  it('reads the token from a cookie on a cookie route, and removes only that cookie', async () => {
    const reply = await call(`${gw.url}/cookie`, {
      headers: { cookie: `theme=dark; tg=${userToken}; lang=en` },
    });
    assert.equal(reply.status, 200);
    assert.equal(upstream.last().headers.cookie, 'theme=dark; lang=en');
    assert.equal((await call(`${gw.url}/cookie`, { headers: { cookie: `tg=${userToken}` } })).status, 200);
    assert.equal(upstream.last().headers.cookie, undefined);
  });

  it('reads the token from a form body on a form route, and forwards the rest of the body', async () => {
    const reply = await call(`${gw.url}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `a=1&access_token=${userToken}&b=%C3%A9`,
    });
    assert.equal(reply.status, 200);
    const seen = upstream.last();
    assert.equal(seen.body, 'a=1&b=%C3%A9');
    assert.equal(seen.headers['content-length'], String(seen.body.length));
    const twice = await call(`${gw.url}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(userToken) },
      body: `access_token=${userToken}`,
    });
    assert.equal(twice.status, 400, 'RFC 6750 §2: one method only');
  });

  it('fails closed with 503 and Retry-After when the IdP cannot be reached', async () => {
    const down = await startGateway({
      authenticators: {
        gone: {
          introspection: {
            endpoint: `${await closedPortUrl()}/introspect`,
            clientAuth: { accessToken: 'x' },
          },
          httpClient: { retries: 0 },
        },
      },
      routes: [{ upstream: { urls: [upstream.url] } }],
    });
    try {
      const before = upstream.requests.length;
      const reply = await call(`${down.url}/x`, { headers: bearer(userToken) });
      assert.equal(reply.status, 503);
      assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal((reply.json().error as { code: string }).code, 'serviceUnavailable');
      assert.equal(upstream.requests.length, before);
      assert.ok(!JSON.stringify(down.logs).includes(userToken), 'the token is never logged');
    } finally {
      await down.close();
    }
  });

  it('authenticates WebSocket upgrades like any request', async () => {
    const upgrade = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown>; socket?: Socket }>(
        (resolve, reject) => {
          const { hostname, port } = new URL(gw.url);
          const request = httpRequest({
            host: hostname,
            port,
            path: '/ws',
            headers: { connection: 'upgrade', upgrade: 'websocket', ...headers },
          });
          request.on('upgrade', (response, socket) =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, socket }),
          );
          request.on('response', (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, headers: response.headers });
          });
          request.on('error', reject);
          request.end();
        },
      );
    {
      const refused = await upgrade({});
      assert.equal(refused.status, 401);
      assert.equal(refused.headers['www-authenticate'], 'Bearer realm="MyService"');
      const accepted = await upgrade({ ...bearer(userToken), 'x-user-id': 'admin' });
      assert.equal(accepted.status, 101);
      assert.equal(accepted.headers['x-seen-user'], 'user');
      accepted.socket!.write('ping');
      const [echo] = await once(accepted.socket!, 'data');
      assert.equal(String(echo), 'ping');
      accepted.socket!.destroy();
    }
  });
});

/**
 * @module test/gateway/nginx.test
 * The gateway's decision endpoint behind a real nginx (`auth_request`), with the configuration shown in
 * docs/GATEWAY.md run as written (only its addresses rewritten to the loopback ports of this test), so the
 * guide cannot drift from what works. nginx fronts an upstream that echoes the headers it received; the
 * gateway judges every request with introspection at the seed-000 IdP. Proven here: a valid token reaches
 * the upstream with the identity headers the gateway set, never the client's spoofed copies, and without
 * the credential; a missing or unknown token is 401 with the gateway's Bearer challenge; an insufficient
 * scope is 403 with `insufficient_scope`; no route is 404; a bad request target is 400; an IdP that cannot
 * answer is 503 with `Retry-After`, and so is a gateway that cannot be reached; a public route passes with
 * no identity at all.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../src/idp/server.ts';
import { codeBlocks } from '../docs/markdown-blocks.ts';
import { authkitToken, basic, postForm, startSeedIdp } from '../idp/support/seed-idp.ts';
import { closedPortUrl } from '../support/loopback.ts';
import { bearer, call, type Reply, seedAuth, startGateway, type TestGateway } from './support/harness.ts';
import {
  type EchoUpstream,
  nginxMissing,
  type RunningNginx,
  startEchoUpstream,
  startNginx,
} from './support/nginx.ts';

/** The ```nginx block of docs/GATEWAY.md. */
function guideNginxConfig(): string {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'GATEWAY.md'), 'utf8');
  const blocks = codeBlocks(doc).filter((block) => block.lang === 'nginx');
  assert.equal(blocks.length, 1, 'docs/GATEWAY.md shows one nginx configuration');
  return blocks[0].text;
}

/** `text` with `from` replaced by `to`; fails when the guide no longer has `from`. */
function rewrite(text: string, from: RegExp, to: string): string {
  assert.match(text, from, `the nginx block of docs/GATEWAY.md has ${from}`);
  return text.replace(from, to);
}

const hostPort = (url: string) => new URL(url).host;

interface Echo {
  readonly url: string;
  readonly headers: Record<string, string | undefined>;
}

describe('nginx auth_request in front of the decision endpoint', { skip: nginxMissing() }, () => {
  let idp: Idp;
  let gw: TestGateway;
  let upstream: EchoUpstream;
  let nginx: RunningNginx;
  let userToken: string;
  let readToken: string;

  before(async () => {
    idp = await startSeedIdp();
    upstream = await startEchoUpstream();
    gw = await startGateway({
      authenticators: {
        idp: seedAuth(idp),
        // An IdP nobody answers at: the gateway fails closed (503 + Retry-After).
        down: {
          introspection: {
            endpoint: `${await closedPortUrl()}/introspect`,
            clientAuth: { accessToken: 'x' },
          },
          httpClient: { retries: 0 },
        },
      },
      // nginx proxies: these routes serve decisions only (no upstream URLs).
      routes: [
        { name: 'public', match: { pathPrefix: '/public' }, auth: 'public' },
        {
          name: 'write',
          match: { pathPrefix: '/write' },
          auth: { authenticator: 'idp', scopes: ['write'] },
          forward: { headers: { 'X-User-Id': 'sub' } },
        },
        { name: 'down', match: { pathPrefix: '/down' }, auth: { authenticator: 'down' } },
        {
          name: 'api',
          match: { pathPrefix: '/api' },
          auth: { authenticator: 'idp' },
          forward: { headers: { 'X-User-Id': 'sub' }, introspectionHeader: 'X-Userinfo' },
        },
      ],
    });
    let config = guideNginxConfig();
    config = rewrite(config, /server 127\.0\.0\.1:4456;/, `server ${hostPort(gw.api)};`);
    config = rewrite(config, /proxy_pass http:\/\/127\.0\.0\.1:8090;/, `proxy_pass ${upstream.url};`);
    const guide = config;
    nginx = await startNginx((port) => rewrite(guide, /listen \d+;/, `listen 127.0.0.1:${port};`));
    userToken = await authkitToken(idp, 'user', 'user-pwd');
    const token = await postForm(
      `${idp.url}/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: basic('svc', 'svc-secret') },
    );
    assert.equal(token.status, 200, token.text);
    readToken = token.json().access_token as string;
  });

  after(async () => {
    await nginx?.close();
    await gw?.close();
    await upstream?.close();
    await idp?.close();
  });

  /** A request through nginx; `reply.echo()` is what the upstream received. */
  async function viaNginx(path: string, headers: Record<string, string> = {}, method = 'GET') {
    const reply = await call(`${nginx.url}${path}`, { method, headers });
    return { ...reply, echo: () => JSON.parse(reply.text) as Echo };
  }

  const where = (reply: Reply) => `status ${reply.status}, body ${reply.text}\n${nginx.errorLog()}`;

  it('a valid token reaches the upstream with the gateway identity headers, not the client copies', async () => {
    const reply = await viaNginx('/api/orders?page=2', {
      ...bearer(userToken),
      'X-User-Id': 'admin',
      'X-Userinfo': Buffer.from('{"sub":"admin"}').toString('base64url'),
    });
    assert.equal(reply.status, 200, where(reply));
    const echo = reply.echo();
    assert.equal(echo.url, '/api/orders?page=2');
    assert.equal(echo.headers['x-user-id'], 'user');
    const userinfo = JSON.parse(Buffer.from(echo.headers['x-userinfo'] ?? '', 'base64url').toString());
    assert.equal(userinfo.sub, 'user');
    assert.equal(userinfo.active, true);
    assert.equal(echo.headers.authorization, undefined, 'the credential stays at the edge');
  });

  it('a public route passes, and a spoofed identity header is removed, not forwarded', async () => {
    const reply = await viaNginx('/public/page', { 'X-User-Id': 'admin', 'X-Userinfo': 'forged' }, 'POST');
    assert.equal(reply.status, 200, where(reply));
    const echo = reply.echo();
    assert.equal(echo.url, '/public/page');
    assert.equal(echo.headers['x-user-id'], undefined);
    assert.equal(echo.headers['x-userinfo'], undefined);
  });

  it('a missing token is 401 with the Bearer challenge; an unknown one with invalid_token', async () => {
    const missing = await viaNginx('/api/orders', { 'X-User-Id': 'admin' });
    assert.equal(missing.status, 401, where(missing));
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="MyService"');
    const unknown = await viaNginx('/api/orders', bearer('made-up-token'));
    assert.equal(unknown.status, 401, where(unknown));
    assert.equal(unknown.headers.get('www-authenticate'), 'Bearer realm="MyService", error="invalid_token"');
  });

  it('an insufficient scope is 403 with the insufficient_scope challenge; enough scope passes', async () => {
    const denied = await viaNginx('/write/orders', bearer(readToken));
    assert.equal(denied.status, 403, where(denied));
    assert.equal(
      denied.headers.get('www-authenticate'),
      'Bearer realm="MyService", error="insufficient_scope", scope="write"',
    );
    assert.equal((await viaNginx('/api/orders', bearer(readToken))).echo().headers['x-user-id'], 'svc');
  });

  it('no route is 404 and a refused request target 400, whatever the token', async () => {
    const none = await viaNginx('/elsewhere', bearer(userToken));
    assert.equal(none.status, 404, where(none));
    const encoded = await viaNginx('/api/a%2Fb', bearer(userToken));
    assert.equal(encoded.status, 400, where(encoded));
  });

  it('an IdP that cannot answer is 503 with Retry-After (fail closed)', async () => {
    const reply = await viaNginx('/down/x', bearer(userToken));
    assert.equal(reply.status, 503, where(reply));
    assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/);
  });

  it('every decision was the gateway’s: nginx asked once per request', async () => {
    const metrics = (await call(`${gw.api}/metrics`)).text;
    const count = (outcome: string) =>
      Number(
        new RegExp(`tokenguard_gateway_decisions_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1],
      );
    assert.equal(count('allowed'), 3);
    assert.equal(count('unauthorized'), 2);
    assert.equal(count('forbidden'), 1);
    assert.equal(count('not_found'), 1);
    assert.equal(count('invalid'), 1);
    assert.equal(count('unavailable'), 1);
  });

  it('a gateway that cannot be reached is 503 too: nothing passes (runs last, it stops the gateway)', async () => {
    await gw.close();
    const reply = await viaNginx('/api/orders', bearer(userToken));
    assert.equal(reply.status, 503, where(reply));
    assert.equal(reply.text.includes('"x-user-id"'), false, 'the upstream was not reached');
  });
});

/**
 * @module gateway/proxy/forward.test
 * The HTTP path of the proxy engine against real node:http upstreams on loopback: request-target and
 * header rewriting, the engine's own 502/504 answers, retries, client aborts and `close()`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { closedPortUrl, readBody, sendJson } from '../../../test/support/loopback.ts';
import { createLogger } from '../../observability/logger.ts';
import {
  planWith,
  rawRequest,
  specFor,
  startGateway,
  startServer,
  teardown,
} from './test-support/harness.ts';
import type { ProxyOutcome, Upstream, UpstreamSpec } from './types.ts';
import { createUpstream, type UpstreamDeps } from './upstream.ts';

const client = new Agent({ keepAliveTimeout: 10 });
const cleanups = teardown();
cleanups(() => client.close());

/** What the echo upstream saw. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An upstream answering every request with what it saw, as JSON. */
async function echoUpstream(extra?: (response: ServerResponse, request: IncomingMessage) => void) {
  const seen: Seen[] = [];
  const started = await startServer(async (req, res) => {
    const body = await readBody(req);
    const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    seen.push(record);
    extra?.(res, req);
    sendJson(res, 200, record);
  });
  cleanups(started.close);
  return { ...started, seen };
}

async function gatewayFor(
  urls: string[],
  overrides: Partial<UpstreamSpec> = {},
  plan = planWith(),
  deps: UpstreamDeps = {},
) {
  const upstream = createUpstream(specFor(urls, overrides), deps);
  const gateway = await startGateway(upstream, plan);
  cleanups(() => upstream.close(), gateway.close);
  return { upstream, gateway };
}

describe('request-target', () => {
  it('sends base path + path minus stripPrefix + query, byte for byte', async () => {
    const echo = await echoUpstream();
    const { gateway } = await gatewayFor([`${echo.url}/base/`], { stripPrefix: '/api' });
    const targets = [
      [
        '/api/a%2Fb/c%20d;p=1?x=1&y=%2B+z&empty=&x=2&u=%E2%82%AC',
        '/base/a%2Fb/c%20d;p=1?x=1&y=%2B+z&empty=&x=2&u=%E2%82%AC',
      ],
      ['/api', '/base/'],
      ['/api?q', '/base/?q'],
      ['/apix/y', '/base/apix/y'],
      ['//api/z', '/base//api/z'],
    ];
    for (const [sent] of targets) {
      const response = await rawRequest(gateway.url, `GET ${sent} HTTP/1.1\r\nHost: gw\r\nConnection: close`);
      assert.equal(response.status, 200);
    }
    assert.deepEqual(
      echo.seen.map((seen) => seen.url),
      targets.map(([, expected]) => expected),
    );
  });
});

describe('headers', () => {
  it('drops hop-by-hop fields both ways, including those named in Connection', async () => {
    const echo = await echoUpstream((res) => {
      res.setHeader('connection', 'x-upstream-private');
      res.setHeader('x-upstream-private', 'hidden');
      res.setHeader('keep-alive', 'timeout=99');
      res.setHeader('proxy-authenticate', 'Basic realm="up"');
      res.setHeader('x-kept', 'yes');
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
    });
    const { gateway } = await gatewayFor([echo.url]);
    const response = await rawRequest(
      gateway.url,
      [
        'GET /h HTTP/1.1',
        'Host: gw.example',
        'Connection: close, X-Private-Thing',
        'X-Private-Thing: secret',
        'Keep-Alive: timeout=5',
        'TE: trailers',
        'Trailer: x-t',
        'Proxy-Authorization: Basic abc',
        'Proxy-Connection: keep-alive',
        'X-End-To-End: kept',
      ].join('\r\n'),
    );
    const seen = echo.seen[0].headers;
    for (const name of [
      'x-private-thing',
      'keep-alive',
      'te',
      'trailer',
      'proxy-authorization',
      'proxy-connection',
    ]) {
      assert.equal(seen[name], undefined, `${name} forwarded`);
    }
    assert.equal(seen['x-end-to-end'], 'kept');
    assert.notEqual(seen.connection, 'close, X-Private-Thing');

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-upstream-private'), undefined);
    assert.equal(response.headers.get('proxy-authenticate'), undefined);
    assert.notDeepEqual(response.headers.get('keep-alive'), ['timeout=99']);
    assert.deepEqual(response.headers.get('x-kept'), ['yes']);
    assert.deepEqual(response.headers.get('set-cookie'), ['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('applies the plan, then X-Request-ID, X-Forwarded-* and the upstream Host', async () => {
    const echo = await echoUpstream();
    const plan = planWith({
      removeHeaders: new Set(['authorization', 'x-user']),
      setHeaders: { 'X-User': 'alice', 'x-roles': 'admin' },
      requestId: 'rid-42',
    });
    const { gateway } = await gatewayFor([echo.url], {}, plan);
    await rawRequest(
      gateway.url,
      [
        'GET / HTTP/1.1',
        'Host: api.example.com:8443',
        'Connection: close',
        'Authorization: Bearer secret-token',
        'X-User: mallory',
        'X-Request-ID: client-chosen',
        'X-Forwarded-For: 203.0.113.9',
        'X-Forwarded-Proto: https',
        'X-Forwarded-Host: evil.example',
        'X-Forwarded-Port: 1',
      ].join('\r\n'),
    );
    const seen = echo.seen[0].headers;
    assert.equal(seen.authorization, undefined);
    assert.equal(seen['x-user'], 'alice');
    assert.equal(seen['x-roles'], 'admin');
    assert.equal(seen['x-request-id'], 'rid-42');
    assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], 'api.example.com:8443');
    assert.equal(seen['x-forwarded-port'], '8443');
    assert.equal(seen.host, new URL(echo.url).host);
  });

  it('forwards the client Host with preserveHost', async () => {
    const echo = await echoUpstream();
    const { gateway } = await gatewayFor([echo.url], { preserveHost: true });
    await rawRequest(gateway.url, 'GET / HTTP/1.1\r\nHost: api.example.com\r\nConnection: close');
    assert.equal(echo.seen[0].headers.host, 'api.example.com');
    assert.equal(echo.seen[0].headers['x-forwarded-port'], '80');
  });

  it('refuses a plan value with CR/LF: 502, nothing sent upstream', async () => {
    const echo = await echoUpstream();
    const plan = planWith({ setHeaders: { 'x-user': 'alice\r\nx-admin: true' } });
    const { gateway } = await gatewayFor([echo.url], {}, plan);
    const response = await request(`${gateway.url}/`, { dispatcher: client });
    assert.equal(response.statusCode, 502);
    assert.deepEqual(await response.body.json(), {
      error: {
        domain: 'tokenguard',
        code: 'upstreamUnavailable',
        message: 'The upstream service is unavailable.',
      },
    });
    assert.equal(echo.seen.length, 0);
    assert.deepEqual(gateway.outcomes[0], {
      kind: 'failed',
      upstream: echo.url,
      status: 502,
      reason: 'internal_error',
    });
  });
});

describe('bodies', () => {
  it('sends no body for a request without Content-Length or Transfer-Encoding', async () => {
    const echo = await echoUpstream();
    const { gateway } = await gatewayFor([echo.url]);
    await request(`${gateway.url}/`, { method: 'DELETE', dispatcher: client }).then((r) => r.body.dump());
    assert.equal(echo.seen[0].headers['content-length'], undefined);
    assert.equal(echo.seen[0].headers['transfer-encoding'], undefined);
  });

  it('forwards a chunked upload and the upstream answer of a HEAD as they are', async () => {
    const echo = await echoUpstream((res, req) => {
      if (req.method === 'HEAD') res.setHeader('content-length', '5');
    });
    const { gateway } = await gatewayFor([echo.url]);
    const upload = await request(`${gateway.url}/up`, {
      method: 'POST',
      body: Readable.from(['part one, ', 'part two']),
      dispatcher: client,
    });
    assert.equal(upload.statusCode, 200);
    await upload.body.dump();
    assert.equal(echo.seen[0].body, 'part one, part two');
    assert.equal(echo.seen[0].headers['transfer-encoding'], 'chunked');
    const head = await request(`${gateway.url}/`, { method: 'HEAD', dispatcher: client });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '5');
    await head.body.dump();
  });

  it('lets an upload take longer than headersTimeoutMs while it makes progress', async () => {
    const echo = await echoUpstream();
    const { gateway } = await gatewayFor([echo.url], { headersTimeoutMs: 150 });
    const response = await request(`${gateway.url}/slow-upload`, {
      method: 'POST',
      body: Readable.from(
        (async function* () {
          for (let i = 0; i < 5; i++) {
            await sleep(60);
            yield `chunk ${i};`;
          }
        })(),
      ),
      dispatcher: client,
    });
    assert.equal(response.statusCode, 200);
    await response.body.dump();
    assert.equal(echo.seen[0].body, 'chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
  });

  it('relays an answer the upstream gives before reading the upload', async () => {
    // (an upstream that also closes at once makes the upload fail with EPIPE first: a 502, as with nginx)
    const started = await startServer((_req, res) => {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('too large');
    });
    cleanups(started.close);
    const { gateway } = await gatewayFor([started.url]);
    const body = Buffer.alloc(8 << 20, 1);
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/upload`, { method: 'POST', agent: false });
      req.on('response', async (res) => resolve({ status: res.statusCode ?? 0, text: await readBody(res) }));
      req.on('error', reject);
      req.end(body);
    });
    assert.deepEqual(response, { status: 413, text: 'too large' });
  });
});

describe('failures', () => {
  it('answers 502 upstreamUnavailable when the connection is refused', async () => {
    const dead = await closedPortUrl();
    const results: ProxyOutcome[] = [];
    const lines: string[] = [];
    const { gateway } = await gatewayFor([dead], {}, planWith(), {
      metrics: { onResult: (outcome) => results.push(outcome) },
      logger: createLogger({ destination: { write: (line: string) => lines.push(line) } }),
    });
    const response = await request(`${gateway.url}/x?access_token=secret`, { dispatcher: client });
    assert.equal(response.statusCode, 502);
    assert.equal(response.headers['content-type'], 'application/json');
    const body = (await response.body.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'upstreamUnavailable');
    assert.deepEqual(results, [
      { kind: 'failed', upstream: dead, status: 502, reason: 'upstream_unreachable' },
    ]);
    const logged = JSON.parse(lines.at(-1)!);
    assert.equal(logged.level, 'warn');
    assert.equal(logged.request_id, 'req-0001');
    assert.equal(logged.error_reason, 'upstream_unreachable');
    assert.match(logged.detail, /ECONNREFUSED/);
    assert.ok(!lines.join('').includes('secret'), 'the URI (and a token in it) is never logged');
  });

  for (const method of ['GET', 'POST']) {
    it(`answers 504 upstreamTimeout when the upstream never answers (${method})`, async () => {
      const silent = await startServer(() => {});
      cleanups(silent.close);
      const { gateway } = await gatewayFor([silent.url], { headersTimeoutMs: 150 });
      const response = await request(`${gateway.url}/slow`, {
        method,
        body: method === 'POST' ? 'payload' : undefined,
        dispatcher: client,
      });
      assert.equal(response.statusCode, 504);
      const body = (await response.body.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'upstreamTimeout');
      assert.equal(gateway.outcomes[0].status, 504);
    });
  }

  it('destroys the response when the upstream breaks after its status was sent', async () => {
    const breaking = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    cleanups(breaking.close);
    const { gateway } = await gatewayFor([breaking.url]);
    const response = await request(`${gateway.url}/`, { dispatcher: client });
    assert.equal(response.statusCode, 200);
    await assert.rejects(response.body.text());
    const outcome = gateway.outcomes[0] ?? (await gateway.nextOutcome());
    assert.deepEqual(outcome, {
      kind: 'proxied',
      upstream: breaking.url,
      status: 200,
      reason: 'upstream_unreachable',
    });
  });

  it('retries a bodiless request on another URL when the connection failed, never a body', async () => {
    const dead = await closedPortUrl();
    const echo = await echoUpstream();
    const get = await gatewayFor([dead, echo.url]);
    const ok = await request(`${get.gateway.url}/r`, { dispatcher: client });
    assert.equal(ok.statusCode, 200);
    await ok.body.dump();
    assert.equal(echo.seen.length, 1);

    const post = await gatewayFor([dead, echo.url]);
    const refused = await request(`${post.gateway.url}/r`, {
      method: 'POST',
      body: 'once',
      dispatcher: client,
    });
    assert.equal(refused.statusCode, 502);
    await refused.body.dump();
    assert.equal(echo.seen.length, 1);
  });
});

describe('client abort', () => {
  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed!: Promise<unknown>;
    const arrived = Promise.withResolvers<void>();
    const hanging = await startServer((_req, res) => {
      upstreamClosed = once(res, 'close');
      arrived.resolve();
    });
    cleanups(hanging.close);
    const { gateway } = await gatewayFor([hanging.url]);
    const req = httpRequest(`${gateway.url}/wait`, { agent: false });
    req.on('error', () => {});
    req.end();
    await arrived.promise;
    const outcome = gateway.nextOutcome();
    req.destroy();
    await upstreamClosed;
    assert.deepEqual(await outcome, {
      kind: 'failed',
      upstream: hanging.url,
      status: 502,
      reason: 'client_closed',
    });
  });

  it('aborts the upstream download when the client goes away mid-body', async () => {
    let upstreamClosed!: Promise<unknown>;
    const streaming = await startServer((_req, res) => {
      upstreamClosed = once(res, 'close');
      res.writeHead(200);
      res.write('first chunk');
    });
    cleanups(streaming.close);
    const { gateway } = await gatewayFor([streaming.url]);
    const req = httpRequest(`${gateway.url}/stream`, { agent: false });
    req.on('error', () => {});
    const [res] = (await Promise.all([once(req.end(), 'response')])).flat() as IncomingMessage[];
    await once(res, 'data');
    const outcome = gateway.nextOutcome();
    req.destroy();
    await upstreamClosed;
    assert.deepEqual(await outcome, {
      kind: 'proxied',
      upstream: streaming.url,
      status: 200,
      reason: 'client_closed',
    });
  });
});

describe('close()', () => {
  it('waits for exchanges in flight, then answers 502', async () => {
    const release = Promise.withResolvers<void>();
    const arrived = Promise.withResolvers<void>();
    const slow = await startServer(async (_req, res) => {
      arrived.resolve();
      await release.promise;
      sendJson(res, 200, { done: true });
    });
    cleanups(slow.close);
    const upstream: Upstream = createUpstream(specFor([slow.url]));
    const gateway = await startGateway(upstream);
    cleanups(gateway.close);
    const pending = request(`${gateway.url}/`, { dispatcher: client });
    await arrived.promise;
    let closed = false;
    const closing = upstream.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false);
    release.resolve();
    const response = await pending;
    assert.deepEqual(await response.body.json(), { done: true });
    await closing;
    const late = await request(`${gateway.url}/`, { dispatcher: client });
    assert.equal(late.statusCode, 502);
    await late.body.dump();
  });
});

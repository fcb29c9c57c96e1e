/**
 * @module gateway/proxy/upgrade.test
 * Upgrade pass-through: a real WebSocket client (Node's global `WebSocket`) against an RFC 6455 echo
 * upstream through the proxy, raw bytes after a 101 (early bytes in `head` included), closing, a refused
 * upgrade relayed as the upstream wrote it, and the engine's raw 502/504.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { closedPortUrl } from '../../../test/support/loopback.ts';
import {
  parseRawResponse,
  planWith,
  specFor,
  startGateway,
  startServer,
  teardown,
} from './test-support/harness.ts';
import { webSocketEcho } from './test-support/ws-echo.ts';
import type { UpstreamSpec } from './types.ts';
import { createUpstream } from './upstream.ts';

const cleanups = teardown();

/** An upstream whose `upgrade` listener is `onUpgrade`, and a gateway in front of it. */
async function setUp(
  onUpgrade: (request: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void,
  overrides: Partial<UpstreamSpec> = {},
) {
  const backend = await startServer((_req, res) => res.end('plain'));
  // upgraded sockets leave the server's books: closing it would wait for them forever
  const taken = new Set<import('node:stream').Duplex>();
  backend.server.on('upgrade', (request, socket, head) => {
    taken.add(socket);
    onUpgrade(request, socket, head);
  });
  cleanups(async () => {
    for (const socket of taken) socket.destroy();
    await backend.close();
  });
  return gatewayFor([backend.url], overrides);
}

async function gatewayFor(urls: string[], overrides: Partial<UpstreamSpec> = {}) {
  const upstream = createUpstream(specFor(urls, overrides));
  const gateway = await startGateway(
    upstream,
    planWith({ requestId: 'ws-1', setHeaders: { 'x-user': 'alice' } }),
  );
  cleanups(() => upstream.close({ tunnels: 'destroy' }), gateway.close);
  return { gateway, upstreamUrl: urls[0] };
}

/** A raw client connection collecting what it receives. */
class RawClient {
  readonly socket: Socket;
  received = Buffer.alloc(0);

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
  }

  static async open(origin: string, bytes: string): Promise<RawClient> {
    const { hostname, port } = new URL(origin);
    // half-open allowed: the proxy, not node, must close this side when the tunnel ends
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    await once(socket, 'connect');
    const client = new RawClient(socket);
    socket.write(bytes);
    return client;
  }

  /** Resolves once the received bytes contain `text`. */
  async waitFor(text: string): Promise<string> {
    while (!this.received.toString('latin1').includes(text)) {
      if (this.socket.readableEnded) assert.fail(`connection ended before "${text}": ${this.text}`);
      await once(this.socket, 'data');
    }
    return this.text;
  }

  /** Resolves once the proxy has ended the connection (then drops this side too). */
  async ended(): Promise<string> {
    if (!this.socket.readableEnded) await once(this.socket, 'end');
    this.socket.destroy();
    return this.text;
  }

  get text(): string {
    return this.received.toString('latin1');
  }
}

describe('WebSocket pass-through', () => {
  it('carries WebSocket frames both ways for a real client', async () => {
    const seen: IncomingMessage[] = [];
    const { gateway } = await setUp(webSocketEcho(seen));
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/chat/room%201?x=%2F`);
    socket.binaryType = 'arraybuffer';
    await once(socket, 'open');
    const messages: unknown[] = [];
    const received = new Promise<void>((resolve) => {
      socket.addEventListener('message', (event) => {
        messages.push(event.data);
        if (messages.length === 2) resolve();
      });
    });
    const big = new Uint8Array(70_000).map((_, i) => i % 251);
    socket.send('hello through the proxy');
    socket.send(big);
    await received;
    assert.equal(messages[0], 'hello through the proxy');
    assert.deepEqual(new Uint8Array(messages[1] as ArrayBuffer), big);
    socket.close(1000, 'done');
    const closed = (await once(socket, 'close')) as [CloseEvent];
    assert.equal(closed[0].code, 1000);

    const handshake = seen[0];
    assert.equal(handshake.url, '/chat/room%201?x=%2F');
    assert.equal(handshake.headers.upgrade, 'websocket');
    assert.match(handshake.headers.connection ?? '', /upgrade/i);
    assert.equal(handshake.headers['x-request-id'], 'ws-1');
    assert.equal(handshake.headers['x-user'], 'alice');
    assert.ok(handshake.headers['sec-websocket-key']);
    assert.deepEqual(gateway.outcomes[0], {
      kind: 'proxied',
      upstream: gateway.outcomes[0].upstream,
      status: 101,
    });
  });

  it('relays raw bytes after the 101, early bytes included, and closes both sides together', async () => {
    let upstreamSocket!: import('node:stream').Duplex;
    const { gateway } = await setUp((_request, socket, head) => {
      upstreamSocket = socket;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-echo\r\nConnection: Upgrade\r\n\r\n');
      socket.write(head);
      socket.pipe(socket);
    });
    const client = await RawClient.open(
      gateway.url,
      'GET /echo HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: x-echo\r\n\r\nearly-bytes',
    );
    await client.waitFor('early-bytes');
    const response = parseRawResponse(client.text);
    assert.equal(response.status, 101);
    assert.deepEqual(response.headers.get('upgrade'), ['x-echo']);
    client.socket.write('more-bytes');
    await client.waitFor('more-bytes');
    const upstreamClosed = once(upstreamSocket, 'close');
    client.socket.destroy();
    await upstreamClosed;
  });

  it('closes the client side when the upstream ends the tunnel', async () => {
    const { gateway } = await setUp((_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-bye\r\nConnection: Upgrade\r\n\r\nbye');
      socket.end();
    });
    const gatewaySide = once(gateway.server, 'upgrade').then(([, socket]) => once(socket, 'close'));
    const client = await RawClient.open(
      gateway.url,
      'GET / HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: x-bye\r\n\r\n',
    );
    await once(client.socket, 'end');
    assert.match(client.text, /^HTTP\/1\.1 101 [\s\S]*\r\n\r\nbye$/);
    // the proxy closed its socket to the client entirely, although that client keeps its side open
    await gatewaySide;
    client.socket.destroy();
  });

  it("relays the upstream's refusal of an upgrade as it was written", async () => {
    const { gateway } = await setUp((_request, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nno way');
    });
    const client = await RawClient.open(
      gateway.url,
      'GET / HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    const response = parseRawResponse(await client.ended());
    assert.equal(response.status, 403);
    assert.equal(response.body, 'no way');
    assert.deepEqual(response.headers.get('connection'), ['close']);
  });

  it('answers a raw 502 when the upstream is unreachable, and a raw 504 when it stays silent', async () => {
    const dead = await gatewayFor([await closedPortUrl()]);
    const refused = await RawClient.open(
      dead.gateway.url,
      'GET / HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    const unreachable = parseRawResponse(await refused.ended());
    assert.equal(unreachable.status, 502);
    assert.equal(JSON.parse(unreachable.body).error.code, 'upstreamUnavailable');

    const silent = await setUp(() => {}, { headersTimeoutMs: 100 });
    const waiting = await RawClient.open(
      silent.gateway.url,
      'GET / HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    const timedOut = parseRawResponse(await waiting.ended());
    assert.equal(timedOut.status, 504);
    assert.equal(JSON.parse(timedOut.body).error.code, 'upstreamTimeout');
  });
});

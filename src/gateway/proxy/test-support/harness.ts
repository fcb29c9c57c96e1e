/**
 * @module gateway/proxy/test-support/harness
 * Loopback pieces for the proxy engine's tests: a spec with small timeouts, upstream servers of node:http,
 * a gateway server that sends every request through one `Upstream`, and a raw HTTP/1.1 client for the
 * header lines no well-behaved client library would send (hop-by-hop fields, `Connection` options).
 * Test code only; not shipped.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { connect } from 'node:net';
import { after } from 'node:test';
import { closeServer, listen } from '../../../../test/support/loopback.ts';
import type { ForwardPlan, ProxyOutcome, Upstream, UpstreamSpec } from '../types.ts';

/** Teardown steps: each registered step runs after the enclosing suite (or file), the last first. */
export function teardown(): (...steps: (() => Promise<unknown>)[]) => void {
  const registered: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const step of registered.reverse()) await step();
  });
  return (...steps) => {
    registered.push(...steps);
  };
}

/** A spec with timeouts small enough for tests. */
export function specFor(urls: readonly string[], overrides: Partial<UpstreamSpec> = {}): UpstreamSpec {
  return {
    urls,
    preserveHost: false,
    stripPrefix: '',
    connectTimeoutMs: 1000,
    headersTimeoutMs: 2000,
    bodyTimeoutMs: 5000,
    connections: 8,
    unhealthyAfterFailures: 2,
    unhealthyCooldownMs: 60_000,
    ...overrides,
  };
}

export function planWith(overrides: Partial<ForwardPlan> = {}): ForwardPlan {
  return { removeHeaders: new Set(), setHeaders: {}, requestId: 'req-0001', ...overrides };
}

/** A started node:http server and its origin. */
export interface Started {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1, port 0. */
export async function startServer(listener: RequestListener): Promise<Started> {
  const server = createServer(listener);
  const url = await listen(server);
  return { server, url, close: () => closeServer(server) };
}

/** The gateway side: every request and Upgrade goes through `upstream` with `plan`; outcomes recorded. */
export interface TestGateway extends Started {
  readonly outcomes: ProxyOutcome[];
  /** Resolves with the outcome of the next exchange to settle. */
  nextOutcome(): Promise<ProxyOutcome>;
}

export async function startGateway(upstream: Upstream, plan: ForwardPlan = planWith()): Promise<TestGateway> {
  const outcomes: ProxyOutcome[] = [];
  const waiting: ((outcome: ProxyOutcome) => void)[] = [];
  const record = (outcome: ProxyOutcome): void => {
    outcomes.push(outcome);
    waiting.shift()?.(outcome);
  };
  const started = await startServer((request, response) => {
    void upstream.forward(request, response, plan).then(record);
  });
  started.server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    void upstream.upgrade(request, socket, head, plan).then(record);
  });
  return {
    ...started,
    outcomes,
    nextOutcome: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

/** A parsed raw HTTP/1.1 response. */
export interface RawResponse {
  readonly status: number;
  /** Header lines as received: lower-case name → values in order. */
  readonly headers: Map<string, string[]>;
  readonly body: string;
}

/**
 * Sends `head` (request line and header lines, without the blank line) and `body` to `origin` over a
 * fresh connection with `Connection: close` semantics, and parses the whole answer.
 */
export async function rawRequest(origin: string, head: string, body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`${head}\r\n\r\n${body}`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return parseRawResponse(Buffer.concat(chunks).toString('latin1'));
}

export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  let body = text.slice(end + 4);
  if (headers.get('transfer-encoding')?.[0] === 'chunked') body = unchunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function unchunk(text: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (!size) return body;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

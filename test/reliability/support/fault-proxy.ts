/**
 * @module test/reliability/support/fault-proxy
 * A fault-injecting HTTP proxy in front of a real IdP. Requests pass through to the target until the test
 * sets a `fault`; then each request whose path matches `only` (default: all) gets that fault instead:
 *
 * - `delay`: held `ms`, then passed through (slow, but alive); `hang`: never answered (beyond any timeout);
 * - `status`: 500 / 429 / 503 …, with headers (`Retry-After`) and a body;
 * - `non-json`: a 200 whose body is an HTML page; `garbage`: bytes that are not HTTP, then close;
 * - `reset`: the connection reset before any byte; `reset-mid-body`: a 200 whose body stops halfway, RST;
 * - `down`: every connection cut and new ones refused, as a crashed IdP (`up()` undoes it).
 *
 * With `tls` it serves HTTPS with that certificate (one of a CA the client does not trust: a TLS failure).
 * `injected` counts the faults served, per kind, for the figures of docs/RELIABILITY.md.
 */
import { once } from 'node:events';
import {
  Agent,
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'non-json' }
  | { kind: 'garbage' }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' };

export interface FaultProxyOptions {
  /** Serve HTTPS with this certificate and key (PEM text). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Only requests whose path matches get the fault; the others pass. Default: every request. */
  only?: RegExp;
}

export class FaultProxy {
  /** The fault served now; undefined = pass through. */
  fault: Fault | undefined;
  /** Faults served so far, by kind (`down` counts refused connections). */
  readonly injected = new Map<string, number>();
  /** Requests passed through to the target. */
  passed = 0;
  readonly #server: Server;
  #target: URL;
  readonly #only: RegExp | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #agent = new Agent({ keepAlive: true });
  readonly #held = new Set<ServerResponse>();
  #down = false;
  #origin = '';

  private constructor(target: string, options: FaultProxyOptions) {
    this.#target = new URL(target);
    this.#only = options.only;
    const handler = (request: IncomingMessage, response: ServerResponse) => this.#handle(request, response);
    this.#server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
    this.#server.keepAliveTimeout = 60_000;
    this.#server.on('connection', (socket: Socket) => {
      if (this.#down) {
        this.#count('down');
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // A client that gives up on a TLS handshake (wrong CA) or mid-request is expected here.
    this.#server.on('tlsClientError', () => {});
    this.#server.on('clientError', (_error, socket: Socket) => socket.destroy());
  }

  /** Starts a proxy to `target` (an origin; set it later for an IdP that needs the proxy's URL first). */
  static async start(target = 'http://127.0.0.1:1', options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, options);
    proxy.#server.listen(0, '127.0.0.1');
    await once(proxy.#server, 'listening');
    const scheme = options.tls ? 'https' : 'http';
    proxy.#origin = `${scheme}://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  get url(): string {
    return this.#origin;
  }

  /** Where requests pass to (an origin); may change while the proxy runs (an IdP started after it). */
  set target(origin: string) {
    this.#target = new URL(origin);
  }

  /** Total faults served. */
  get faults(): number {
    let total = 0;
    for (const count of this.injected.values()) total += count;
    return total;
  }

  /** Cuts every connection and refuses new ones (the IdP process is gone). */
  down(): void {
    this.#down = true;
    this.#dropAll();
  }

  /** Accepts connections again (the IdP is back); faults stay as set. */
  up(): void {
    this.#down = false;
  }

  /** Passes every request through again, answering the ones held by `hang`. */
  heal(): void {
    this.fault = undefined;
    this.#down = false;
    for (const response of this.#held) response.destroy();
    this.#held.clear();
  }

  async close(): Promise<void> {
    this.#dropAll();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #count(kind: string): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const fault = this.fault;
    const path = (request.url ?? '/').split('?')[0];
    if (fault === undefined || (this.#only && !this.#only.test(path))) {
      this.#pass(request, response);
      return;
    }
    this.#count(fault.kind);
    const socket = request.socket as Socket;
    switch (fault.kind) {
      case 'delay': {
        const timer = setTimeout(() => this.#pass(request, response), fault.ms);
        response.once('close', () => clearTimeout(timer));
        return;
      }
      case 'hang':
        request.resume();
        this.#held.add(response);
        response.once('close', () => this.#held.delete(response));
        return;
      case 'status':
        request.resume();
        response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        response.end(fault.body ?? JSON.stringify({ error: 'temporarily_unavailable' }));
        return;
      case 'non-json':
        request.resume();
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Welcome to nginx!</body></html>');
        return;
      case 'garbage':
        request.resume();
        socket.end('\x00\x17garbage that is not HTTP\r\n\r\n\xff\xfe');
        return;
      case 'reset':
        request.resume();
        socket.resetAndDestroy();
        return;
      case 'reset-mid-body':
        request.resume();
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{"active":true,"sub":"al',
          () => setTimeout(() => socket.resetAndDestroy(), 5),
        );
        return;
    }
  }

  #pass(request: IncomingMessage, response: ServerResponse): void {
    this.passed++;
    const upstream = httpRequest(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: this.#target.host },
        agent: this.#agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  }
}

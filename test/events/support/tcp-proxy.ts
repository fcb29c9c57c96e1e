/**
 * @module test/events/support/tcp-proxy
 * A loopback TCP proxy a test can cut: `cut()` drops every connection through it and refuses new ones until
 * `restore()`, so a subscriber (Redis or SSE) stays disconnected for exactly as long as the test needs to
 * revoke something "during the gap". `target` may change between cuts (an IdP restarted on another port).
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #target: { host: string; port: number } | undefined;
  /** Local port of each upstream connection, to find it on the server side (`CLIENT KILL ADDR`). */
  readonly upstreamPorts = new Set<number>();

  private constructor(server: Server, target: string | undefined) {
    this.#server = server;
    this.target = target;
  }

  /** Starts a proxy to `target` (`host:port`, or an http URL); undefined = refusing until one is set. */
  static async start(target?: string): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where connections go; undefined refuses them. */
  set target(target: string | undefined) {
    if (target === undefined) {
      this.#target = undefined;
      return;
    }
    const { hostname, port } = new URL(target.includes('://') ? target : `tcp://${target}`);
    this.#target = { host: hostname, port: Number(port) };
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.#target = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  restore(target: string): void {
    this.target = target;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const target = this.#target;
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    upstream.on('connect', () => this.upstreamPorts.add(upstream.localPort ?? 0));
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

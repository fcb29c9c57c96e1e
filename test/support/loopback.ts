/**
 * @module test/support/loopback
 * The primitives every loopback test server shares: listening on 127.0.0.1 port 0, answering JSON,
 * reading a request body, closing without waiting for keep-alive clients, and a port nothing listens on.
 * Test code only: it lives outside `src`, so it is never built or shipped.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** An HTTP or HTTPS server of node's own. */
export type LoopbackServer = Server | HttpsServer;

/**
 * Starts `server` listening on 127.0.0.1, port 0 (rejects when it cannot), and resolves its origin:
 * `http://127.0.0.1:<port>`, or `https://…` for a node:https server.
 */
export async function listen(server: LoopbackServer): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const scheme = server instanceof HttpsServer ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers `status` with `body` as `application/json` (a string is sent as is); `headers` add or override. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The whole request body, decoded as UTF-8. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Drops every open connection (keep-alive clients included) and resolves once `server` has closed. */
export async function closeServer(server: LoopbackServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** `http://127.0.0.1:<port>` where nothing listens: a port a server of ours bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const origin = await listen(server);
  await closeServer(server);
  return origin;
}

/**
 * @module discovery/test-support/test-server
 * A real HTTP server for tests on 127.0.0.1, port 0, counting the requests of each path, with answers
 * the test sets per path. Not shipped (see tsconfig.build.json).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Answers `status` with `body` (an object is sent as JSON). */
export function reply(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export class TestServer {
  /** Route per request path; a path without one answers 404. */
  readonly routes = new Map<string, Route>();
  /** Paths of the requests received, in order. */
  readonly requests: string[] = [];
  readonly #server = createServer((request, response) => {
    const path = request.url ?? '';
    this.requests.push(path);
    const route = this.routes.get(path);
    if (route === undefined) return reply(response, 404, { error: 'not_found' });
    Promise.resolve(route(request, response)).catch((error: unknown) => response.destroy(error as Error));
  });
  #url = '';

  static async start(): Promise<TestServer> {
    const server = new TestServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#url = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.#url;
  }

  /** Requests received for `path`. */
  hits(path: string): number {
    return this.requests.filter((requested) => requested === path).length;
  }

  /** Answers `path` with a fixed JSON body. */
  json(path: string, body: unknown, status = 200, headers: Record<string, string> = {}): void {
    this.routes.set(path, (_request, response) => reply(response, status, body, headers));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A URL on 127.0.0.1 where nothing listens: a port just released by a server of ours. */
export async function closedPortUrl(): Promise<string> {
  const server = await TestServer.start();
  const { url } = server;
  await server.close();
  return url;
}

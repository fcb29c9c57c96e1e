/**
 * @module discovery/test-support/test-server
 * A real HTTP server for tests on 127.0.0.1, port 0, counting the requests of each path, with answers
 * the test sets per path. Not shipped (see tsconfig.build.json).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, sendJson } from '../../../test/support/loopback.ts';

export type Route = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export class TestServer {
  /** Route per request path; a path without one answers 404. */
  readonly routes = new Map<string, Route>();
  /** Paths of the requests received, in order. */
  readonly requests: string[] = [];
  readonly #server = createServer((request, response) => {
    const path = request.url ?? '';
    this.requests.push(path);
    const route = this.routes.get(path);
    if (route === undefined) return sendJson(response, 404, { error: 'not_found' });
    Promise.resolve(route(request, response)).catch((error: unknown) => response.destroy(error as Error));
  });
  #url = '';

  static async start(): Promise<TestServer> {
    const server = new TestServer();
    server.#url = await listen(server.#server);
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

  /** Answers `path` with a fixed JSON body (a string is sent as is, to serve broken documents). */
  json(path: string, body: unknown, status = 200, headers: Record<string, string> = {}): void {
    this.routes.set(path, (_request, response) => sendJson(response, status, body, headers));
  }

  /**
   * Answers `path` with a JSON body, but only once the returned `release` is called: requests received
   * before are held open (for single-flight and abandonment tests).
   */
  hold(path: string, body: unknown): () => void {
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    this.routes.set(path, async (_request, response) => {
      await released;
      sendJson(response, 200, body);
    });
    return release;
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }
}

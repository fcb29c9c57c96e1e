/**
 * @module introspection/test-support/stub-idp
 * A real IdP stand-in for tests: a node:http (or node:https) server on 127.0.0.1, port 0, that records
 * every request and answers through a handler the test sets. Not shipped (see tsconfig.build.json).
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as a form (RFC 7662 §2.1 requests are form-encoded). */
  form: URLSearchParams;
  /** Subject CN of the TLS client certificate, when one was presented. */
  clientCertificate?: string;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/** Answers `status` with a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export class StubIdp {
  readonly requests: RecordedRequest[] = [];
  /** Answers requests; the default one answers 404. */
  handler: Handler = (_request, response) => sendJson(response, 404, { error: 'not_found' });
  readonly #server: Server;
  readonly #scheme: 'http' | 'https';
  #origin = '';

  /** An HTTP stub, or an HTTPS one when TLS server options are given. */
  constructor(tls?: ServerOptions) {
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      this.#record(request, response).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    };
    this.#server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
    this.#scheme = tls ? 'https' : 'http';
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#origin = `${this.#scheme}://127.0.0.1:${port}`;
    return this;
  }

  /** `http(s)://127.0.0.1:<port>`. */
  get origin(): string {
    return this.#origin;
  }

  url(path: string): string {
    return `${this.#origin}${path}`;
  }

  /** Requests to one path. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #record(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const socket = request.socket as Partial<TLSSocket>;
    const certificate = socket.getPeerCertificate?.();
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body,
      form: new URLSearchParams(body),
      clientCertificate: certificate?.subject ? String(certificate.subject.CN) : undefined,
    };
    this.requests.push(recorded);
    await this.handler(recorded, response);
  }
}

/**
 * @module introspection/test-support/stub-idp
 * A real IdP stand-in for tests: a node:http (or node:https) server on 127.0.0.1, port 0, that records
 * every request and answers through a handler the test sets. Not shipped (see tsconfig.build.json).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import {
  closeServer,
  type LoopbackServer,
  listen,
  readBody,
  sendJson,
} from '../../../test/support/loopback.ts';

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

export class StubIdp {
  readonly requests: RecordedRequest[] = [];
  /** Answers requests; the default one answers 404. */
  handler: Handler = (_request, response) => sendJson(response, 404, { error: 'not_found' });
  readonly #server: LoopbackServer;
  #origin = '';

  /** An HTTP stub, or an HTTPS one when TLS server options are given. */
  constructor(tls?: ServerOptions) {
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      this.#record(request, response).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    };
    this.#server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  }

  async start(): Promise<this> {
    this.#origin = await listen(this.#server);
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

  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #record(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
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

/**
 * @module test/gateway/support/harness
 * What the gateway's end-to-end suites share: a recording upstream (a real node:http server on port 0 that
 * answers every request with what it received, and can hold a request until the test releases it), a
 * gateway on loopback ports 0 whose JSON log lines are captured, the seed-000 IdP as an authenticator
 * section, and small request helpers.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { GatewayConfigInput } from '../../../src/gateway/config/schema.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/gateway.ts';
import type { Idp } from '../../../src/idp/server.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { STATIC_TOKEN } from '../../idp/support/seed-idp.ts';
import { closeServer, listen, readBody } from '../../support/loopback.ts';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RecordingUpstream {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The last request received. */
  last(): ReceivedRequest;
  /** Requests to `/slow…` wait for this; resolves when one is waiting. */
  held(): Promise<void>;
  /** Answers the requests held so far. */
  release(): void;
  close(): Promise<void>;
}

/** An upstream answering `200 {"upstream":"<name>","url":…}` after recording each request. */
export async function startUpstream(name = 'upstream'): Promise<RecordingUpstream> {
  const requests: ReceivedRequest[] = [];
  const waiting: ServerResponse[] = [];
  let onHeld: (() => void) | undefined;
  const server = createServer(async (request, response) => {
    let body: string;
    try {
      body = await readBody(request);
    } catch {
      // the gateway cut the upload (a body past its limit): nothing arrived complete
      response.destroy();
      return;
    }
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    const answer = JSON.stringify({ upstream: name, url: request.url });
    if (request.url?.startsWith('/slow')) {
      waiting.push(response);
      response.writeHead(200, { 'content-type': 'application/json' });
      onHeld?.();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    last: () => {
      const last = requests.at(-1);
      if (!last) throw new Error(`${name} received no request`);
      return last;
    },
    held: () =>
      waiting.length
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            onHeld = resolve;
          }),
    release: () => {
      for (const response of waiting.splice(0)) response.end(JSON.stringify({ upstream: name, slow: true }));
    },
    close: () => closeServer(server),
  };
}

export interface TestGateway {
  readonly gateway: Gateway;
  /** The proxy URL. */
  readonly url: string;
  /** The API URL. */
  readonly api: string;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** `createGateway` on 127.0.0.1 ports 0 with captured logs. */
export async function startGateway(
  section: GatewayConfigInput,
  options: GatewayOptions = {},
): Promise<TestGateway> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const loopback = { host: '127.0.0.1', port: 0 };
  const gateway = await createGateway(
    { ...section, listen: loopback, api: loopback },
    { logger: createLogger({ level: 'info', destination: sink }), ...options },
  );
  return { gateway, url: gateway.proxyUrl, api: gateway.apiUrl, logs, close: () => gateway.close() };
}

/** The `auth` section that introspects at the seed-000 IdP with its static token (`bearer` client auth). */
export function seedAuth(idp: Idp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    errorDomain: 'MyService',
    introspection: {
      endpoint: `${idp.url}/idp/introspect_token`,
      clientAuth: { method: 'bearer', accessToken: STATIC_TOKEN },
    },
    ...extra,
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json(): Record<string, unknown>;
}

/** fetch, read whole. */
export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

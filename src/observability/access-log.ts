/**
 * @module observability/access-log
 * The `response completed in …` line of seed 000, for node:http-style servers (node:http, Express,
 * anything whose req/res are node's): method, uri, remote address, user agent, status, bytes, duration.
 * Also assigns the request id (`X-Request-ID`) that adapters and the IdP calls reuse.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.ts';
import { requestIdOf } from './request-id.ts';

/**
 * Ids assigned by the access log, so the adapter and the log line share one. A WeakMap rather than a
 * property on the request: adding properties to node's IncomingMessage changes its hidden class and slows
 * node's own http code.
 */
const assigned = new WeakMap<IncomingMessage, string>();

/** The request's id: the one the access log assigned, else the caller's `X-Request-ID`, else a new one. */
export function requestId(request: IncomingMessage): string {
  return assigned.get(request) ?? requestIdOf(request.headers);
}

/** Query parameters whose values never reach a log line (RFC 6750 §5.3: tokens in URLs end up in logs). */
const SECRET_PARAMS = new Set([
  'access_token',
  'token',
  'refresh_token',
  'id_token',
  // OIDC RP-Initiated Logout sends the ID token in the query of the logout endpoint (idp/browser).
  'id_token_hint',
  'client_secret',
  'code',
  'assertion',
  'client_assertion',
  'password',
]);

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    // A name that does not decode cannot be judged: treat it as secret.
    return 'token';
  }
}

/** A JWT (a compact JWS of JSON header and payload), whatever parameter carries it. */
const JWT_VALUE = /eyJ[\w-]+\.eyJ[\w-]+\./;

export interface AccessLogOptions {
  /** Query parameters whose values are redacted besides the usual ones (custom token parameter names). */
  secretParams?: Iterable<string>;
}

/** The lower-cased extra names of `options`, once. */
function extraSecrets(options: AccessLogOptions): ReadonlySet<string> | undefined {
  if (options.secretParams === undefined) return undefined;
  return new Set([...options.secretParams].map((name) => name.toLowerCase()));
}

/**
 * The request target with the values of secret-bearing query parameters replaced (names compared decoded,
 * `extra` names besides the usual ones), and any JWT-shaped value too, whatever its parameter's name.
 */
export function redactUri(uri: string | undefined, extra?: ReadonlySet<string>): string {
  if (!uri) return '';
  const start = uri.indexOf('?');
  if (start < 0) return uri;
  const hash = uri.indexOf('#', start);
  const end = hash < 0 ? uri.length : hash;
  const pairs = uri
    .slice(start + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (eq < 0) return pair;
      const decoded = decodedName(name);
      const secret = SECRET_PARAMS.has(decoded) || extra?.has(decoded) || JWT_VALUE.test(pair.slice(eq + 1));
      return secret ? `${name}=[redacted]` : pair;
    });
  return `${uri.slice(0, start + 1)}${pairs.join('&')}${uri.slice(end)}`;
}

/** Starts timing a request; logs one line when the response has been sent. */
export function logResponse(
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
  extra?: ReadonlySet<string>,
): void {
  const id = requestIdOf(request.headers);
  assigned.set(request, id);
  if (!response.headersSent) response.setHeader('x-request-id', id);
  // No line will be written: skip the clock, the byte counting and the finish listener.
  if (!logger.isLevelEnabled('info')) return;
  const started = process.hrtime.bigint();
  const counter = countBodyBytes(response);
  response.once('finish', () => {
    const micros = Number((process.hrtime.bigint() - started) / 1000n);
    const socket = request.socket;
    const length = Number(request.headers['content-length'] ?? 0);
    logger.info(
      {
        request_id: id,
        int_request_id: '',
        trace_id: '',
        method: request.method,
        uri: redactUri(request.url, extra),
        remote_addr: `${socket.remoteAddress}:${socket.remotePort}`,
        content_length: Number.isFinite(length) ? length : 0,
        user_agent: request.headers['user-agent'] ?? '',
        remote_addr_ip: socket.remoteAddress,
        remote_addr_port: socket.remotePort,
        duration_ms: Math.floor(micros / 1000),
        duration: micros,
        status: response.statusCode,
        bytes_sent: counter.bytes,
      },
      `response completed in ${(micros / 1e6).toFixed(3)}s`,
    );
  });
}

/** Counts body bytes as they are written (headers excluded, as go-appkit's `bytes_sent`). */
function countBodyBytes(response: ServerResponse): { bytes: number } {
  const counter = { bytes: 0 };
  const length = (chunk: unknown, encoding?: unknown) =>
    typeof chunk === 'string'
      ? Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      : ((chunk as Uint8Array | undefined)?.byteLength ?? 0);
  const write = response.write;
  const end = response.end;
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    counter.bytes += length(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && typeof chunk !== 'function') counter.bytes += length(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return counter;
}

/** Wraps a node:http handler with the access log. */
export function withAccessLog<Req extends IncomingMessage, Res extends ServerResponse>(
  logger: Logger,
  handler: (request: Req, response: Res) => void,
  options: AccessLogOptions = {},
): (request: Req, response: Res) => void {
  const extra = extraSecrets(options);
  return (request, response) => {
    logResponse(logger, request, response, extra);
    handler(request, response);
  };
}

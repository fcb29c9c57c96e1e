/**
 * @module gateway/proxy/errors
 * What an upstream failure means and how the engine answers it. Transport errors of undici and node:net
 * become `upstreamUnavailable` (502: refused, reset, DNS, TLS, a malformed answer) or `upstreamTimeout`
 * (504: connect or response-headers timeout), as nginx answers "upstream prematurely closed" and
 * "upstream timed out". The answer is seed 000's JSON error body, written to a `ServerResponse` or, for an
 * Upgrade request that has no response object, as raw HTTP/1.1 bytes on the socket.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import { type ErrorReason, TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ProxyFailureReason } from './types.ts';

/** The code of the timeouts the engine raises itself (connect and headers timers of the Upgrade path). */
const UPSTREAM_TIMEOUT = 'TG_UPSTREAM_TIMEOUT';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  UPSTREAM_TIMEOUT,
]);

const BAD_RESPONSE_CODES = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_HEADERS_OVERFLOW',
  'HPE_INVALID_CONSTANT',
]);

/** An error the engine raises when its own timer expires (undici has timers of its own). */
export function upstreamTimeoutError(phase: 'connect' | 'headers', ms: number): Error {
  return Object.assign(new Error(`${phase} timeout after ${ms} ms`), { code: UPSTREAM_TIMEOUT });
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * The engine's answer to a transport failure talking to `upstream` (a URL, for logs only).
 * `internal_error` marks a fault of ours (a header undici refused), which says nothing about the upstream.
 */
export function transportError(error: unknown, upstream: string): TokenguardError {
  const code = errorCode(error);
  let reason: ErrorReason = 'upstream_unreachable';
  if (TIMEOUT_CODES.has(code)) reason = 'upstream_timeout';
  else if (BAD_RESPONSE_CODES.has(code) || code.startsWith('HPE_')) reason = 'upstream_bad_response';
  else if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') reason = 'internal_error';
  const what = code || (error as Error | undefined)?.message || String(error);
  return new TokenguardError(
    reason === 'upstream_timeout' ? 'upstreamTimeout' : 'upstreamUnavailable',
    reason,
    {
      detail: `${what} (${upstream})`,
      cause: error,
    },
  );
}

/** Whether a failure counts against the upstream's health (not a fault of ours or of the client). */
export function isUpstreamFault(error: TokenguardError): boolean {
  return error.reason !== 'internal_error';
}

/** The outcome reason of a failure (`upstream_unreachable` for anything not more precise). */
export function failureReason(error: TokenguardError): ProxyFailureReason {
  switch (error.reason) {
    case 'upstream_timeout':
    case 'upstream_bad_response':
    case 'internal_error':
      return error.reason;
    default:
      return 'upstream_unreachable';
  }
}

/** Which exchange failed, for the log line (seed 000 field names; never the URI: it may hold a token). */
export interface FailureScope {
  readonly requestId: string;
  readonly method: string | undefined;
  readonly upstream: string | undefined;
}

export function logFailure(logger: Logger, scope: FailureScope, failure: TokenguardError, msg: string): void {
  logger.warn(
    {
      request_id: scope.requestId,
      method: scope.method,
      upstream: scope.upstream,
      error_reason: failure.reason,
      detail: failure.detail,
    },
    msg,
  );
}

/** Where error bodies and challenges take their `domain` and `realm` from (seed 000: `tokenguard`). */
export interface ErrorStyle {
  readonly domain: string;
  readonly realm: string;
}

/**
 * Answers `error` on `response` when nothing was sent yet; destroys the response otherwise (a second
 * status line cannot follow a started one, RFC 9112 §6.3: the client sees a truncated message).
 */
export function writeError(response: ServerResponse, error: TokenguardError, style: ErrorStyle): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const body = error.toBody(style.domain);
  response.writeHead(error.httpStatus, {
    ...error.responseHeaders(style.realm),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** The same answer as raw HTTP/1.1 bytes, closing the connection (for a socket taken over by Upgrade). */
export function rawErrorResponse(error: TokenguardError, style: ErrorStyle): string {
  const body = error.toBody(style.domain);
  const status = error.httpStatus;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(error.responseHeaders(style.realm)))
    head += `${name}: ${value}\r\n`;
  return `${head}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

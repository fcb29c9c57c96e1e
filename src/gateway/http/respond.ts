/**
 * @module gateway/http/respond
 * The gateway's failure answers: seed 000's JSON body (`{"error":{"domain","code","message"}}`), the
 * RFC 6750 challenge and `Retry-After` from the TokenguardError, messages from the route's `errors` and
 * its authenticator's `messages`, and seed 000's `error in response` log line (codes only, never a token).
 * The same answer can be written to a response or, on an Upgrade request's socket, as raw HTTP/1.1.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode, TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Logger } from '../../observability/logger.ts';

/** How a route (or the gateway itself) words its failures. */
export interface ErrorStyle {
  readonly domain: string;
  readonly realm: string;
  readonly messages: Readonly<Partial<Record<ErrorCode, string>>>;
}

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function errorAnswer(error: TokenguardError, style: ErrorStyle): ErrorAnswer {
  const body = error.toBody(style.domain, style.messages);
  const headers = error.responseHeaders(style.realm);
  // A malformed path is not a credential problem: no challenge belongs to it.
  if (error.reason === 'request_target_invalid') delete headers['www-authenticate'];
  headers['content-length'] = String(Buffer.byteLength(body));
  return { status: error.httpStatus, headers, body };
}

/** seed 000's `error in response` line. */
export function logFailure(
  logger: Logger,
  error: TokenguardError,
  style: ErrorStyle,
  requestId: string,
  route?: string,
): void {
  logger.error(
    {
      request_id: requestId,
      int_request_id: '',
      trace_id: '',
      ...(route === undefined ? {} : { route }),
      error_code: error.code,
      error_message: style.messages[error.code] ?? error.message.split(' (')[0],
      error_reason: error.reason,
      ...(error.detail ? { error_detail: error.detail } : {}),
    },
    'error in response',
  );
}

/** Writes the answer unless a response has started already (then the connection is cut). */
export function sendError(response: ServerResponse, error: TokenguardError, style: ErrorStyle): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const { status, headers, body } = errorAnswer(error, style);
  response.writeHead(status, headers);
  response.end(body);
}

/** An HTTP/1.1 response as bytes, closing the connection (for sockets node's server no longer writes). */
export function rawHttpResponse(status: number, headers: Record<string, string>, body: string): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}connection: close\r\n\r\n${body}`;
}

/** Writes the answer on a raw socket and ends it. */
export function sendRawError(socket: Duplex, error: TokenguardError, style: ErrorStyle): void {
  const { status, headers, body } = errorAnswer(error, style);
  if (socket.writable) socket.end(rawHttpResponse(status, headers, body));
  else socket.destroy();
}

/**
 * @module gateway/http/body-limit
 * A route's request body limit (nginx `client_max_body_size`, answered 413, RFC 9110 §15.5.14). A declared
 * `Content-Length` over the limit is refused before anything else happens; node's parser then delivers
 * exactly that many bytes, so only a chunked body needs counting while it streams. The bytes are counted
 * where node's parser hands them to the request (`push`), whoever reads them; past the limit no further
 * byte is handed on, so the upstream never receives a complete oversized body.
 */
import type { IncomingMessage } from 'node:http';
import { TokenguardError } from '../../errors/tokenguard-error.ts';

export function bodyTooLarge(limit: number): TokenguardError {
  return new TokenguardError('requestTooLarge', 'body_too_large', { detail: `more than ${limit} bytes` });
}

/** Throws `requestTooLarge` when the declared length exceeds `limit` (0 = unlimited). */
export function checkDeclaredLength(request: IncomingMessage, limit: number): void {
  if (limit <= 0) return;
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw bodyTooLarge(limit);
}

/**
 * Counts a chunked body as it arrives; calls `exceeded` once when it passes `limit` and swallows the rest.
 * Does nothing for unlimited routes and bodies framed by Content-Length (checked up front).
 */
export function limitStreamedBody(request: IncomingMessage, limit: number, exceeded: () => void): void {
  if (limit <= 0 || request.headers['transfer-encoding'] === undefined) return;
  let received = 0;
  let over = false;
  const push = request.push;
  request.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (over) return true;
    if (chunk !== null && chunk !== undefined) {
      received += (chunk as Buffer).length;
      if (received > limit) {
        over = true;
        exceeded();
        return true;
      }
    }
    return push.call(this, chunk, encoding);
  };
}

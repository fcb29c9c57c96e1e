/**
 * @module gateway/http/form-body
 * The form body of a route that reads tokens from it (RFC 6750 §2.2, Kong `bearer_token_param_type: body`).
 * The proxy streams bodies, so such a route reads the `application/x-www-form-urlencoded` body first (up to
 * `gateway.limits.maxBufferedBody`), parses it for the extractor, and hands the engine a replay of it: a
 * fresh `IncomingMessage` on the same socket with the same head, whose body is the buffered bytes, minus
 * the token when the credential is stripped.
 */
import { IncomingMessage } from 'node:http';
import { bodyTooLarge } from './body-limit.ts';

/** Whether the request carries a form body worth reading for a token. */
export function hasFormBody(request: IncomingMessage): boolean {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return false;
  return (
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** Reads the whole body, refusing (413) past `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > limit) throw bodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Form fields as the token extractor reads them: repeated names become arrays. */
export function parseForm(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const prior = fields[name];
    fields[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return fields;
}

/** A request with the head of `request` whose body is `body` (Content-Length set to its length). */
export function replayRequest(request: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(request.socket);
  replay.method = request.method;
  replay.url = request.url;
  replay.httpVersionMajor = request.httpVersionMajor;
  replay.httpVersionMinor = request.httpVersionMinor;
  replay.httpVersion = request.httpVersion;
  const headers = { ...request.headers, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  replay.headers = headers;
  replay.rawHeaders = Object.entries(headers).flatMap(([name, value]) =>
    Array.isArray(value) ? value.flatMap((item) => [name, item]) : [name, String(value)],
  );
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}

/**
 * @module idp/endpoints/form-body
 * Reading the `application/x-www-form-urlencoded` body of a token, introspection or revocation request
 * (RFC 6749 §3.2 and Appendix B, RFC 7662 §2.1, RFC 7009 §2.1), strictly:
 *
 * - a non-empty body of another media type is `invalid_request` (400);
 * - a body over the configured limit is refused with 413 as soon as that is known (the declared
 *   Content-Length, or the bytes read so far), without buffering the rest;
 * - bytes that are not UTF-8 and malformed percent-escapes are `invalid_request`, never silently
 *   replaced (URLSearchParams would turn `%zz` into text and let a mangled value through);
 * - RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once" → a repeated
 *   name is `invalid_request`; "parameters sent without a value MUST be treated as if they were omitted".
 *
 * An empty body needs no Content-Type at all: `curl -XPOST -u user:pwd …/idp/token` (seed 000) sends none.
 */
import type { IncomingMessage } from 'node:http';
import { oauthError } from '../../errors/tokenguard-error.ts';

const FORM_TYPE = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A parameter name shown in an error description only when it is plainly a name (never echo input). */
function shownName(name: string): string {
  return /^[A-Za-z0-9_.[\]-]{1,64}$/.test(name) ? ` "${name}"` : '';
}

function tooLarge(limit: number) {
  return oauthError('invalid_request', `The request body exceeds ${limit} bytes.`, {
    status: 413,
    headers: { connection: 'close' },
  });
}

/** Checks the media type of a non-empty body: the form type, with no charset other than UTF-8. */
function checkContentType(header: string | undefined): void {
  if (header === FORM_TYPE) return;
  const [type, ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='));
  const charsetOk = charset === undefined || /^charset="?utf-8"?$/.test(charset);
  if (type.trim().toLowerCase() !== FORM_TYPE || !charsetOk) {
    throw oauthError('invalid_request', `The request body must be ${FORM_TYPE}.`, { status: 400 });
  }
}

/** RFC 6749 Appendix B decoding of a name or value; most need none (tokens are base64url). Throws URIError. */
function formDecode(raw: string): string {
  return raw.includes('%') || raw.includes('+') ? decodeURIComponent(raw.replaceAll('+', ' ')) : raw;
}

/** Parses form-urlencoded text (WHATWG `application/x-www-form-urlencoded` parsing, but strict). */
export function parseForm(text: string): Map<string, string> {
  const form = new Map<string, string>();
  const seen = new Set<string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    let name: string;
    let value: string;
    try {
      name = formDecode(rawName);
      value = formDecode(rawValue);
    } catch {
      throw oauthError('invalid_request', 'The request body is not valid form-urlencoded data.');
    }
    if (seen.has(name)) {
      throw oauthError('invalid_request', `The parameter${shownName(name)} is repeated (RFC 6749 §3.1).`);
    }
    seen.add(name);
    if (value !== '') form.set(name, value);
  }
  return form;
}

/**
 * The body bytes, at most `limit`. Past the limit the rest is drained unread rather than the stream
 * destroyed, which would take the socket and the 413 answer with it; the answer closes the connection.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      request.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => onError(new Error('the client closed the connection before the body ended'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

/** Reads and parses the form body of `request`, at most `limit` bytes. */
export async function readForm(request: IncomingMessage, limit: number): Promise<Map<string, string>> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const body = await readBody(request, limit);
  if (body.length === 0) return new Map();
  checkContentType(request.headers['content-type']);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw oauthError('invalid_request', 'The request body is not UTF-8.');
  }
  return parseForm(text);
}

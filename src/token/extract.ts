/**
 * @module token/extract
 * Bearer token extraction (RFC 6750 §2): the `Authorization` header (or a configured header and scheme,
 * as Traefik's `tokenSource.header` / `headerAuthScheme`), a query parameter (§2.3), a cookie, or a
 * form-encoded body parameter (§2.2). Each source is enabled explicitly; only the header by default.
 * A token given in more than one place is `invalid_request` (§2: "MUST NOT use more than one method").
 */
import type { AuthConfig } from '../config/schema.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import type { ExtractedToken, RequestLike, TokenSourceKind } from './types.ts';

/** RFC 6750 §2.1 `b64token`. Checked on a cache miss only: a cached key proves the token was seen valid. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function isWellFormedToken(token: string): boolean {
  return B64TOKEN.test(token);
}

type Sources = AuthConfig['tokenSources'];

export interface TokenExtractor {
  extract(request: RequestLike): ExtractedToken;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function several(kind: TokenSourceKind, detail: string): TokenguardError {
  return new TokenguardError('invalidRequest', 'token_in_several_places', { detail: `${kind}: ${detail}` });
}

/**
 * Whether `value` starts with `scheme` (lower-case), compared case-insensitively as `toLowerCase` would
 * (RFC 9110 §11.1: the auth-scheme is case-insensitive). ASCII is compared by character codes, with no
 * string allocated; a non-ASCII character falls back to `toLowerCase`, whose Unicode mappings (such as
 * U+212A KELVIN SIGN → `k`) it keeps, so the result is always exactly the `toLowerCase` comparison's.
 */
function startsWithScheme(value: string, scheme: string): boolean {
  for (let i = 0; i < scheme.length; i++) {
    const code = value.charCodeAt(i);
    const expected = scheme.charCodeAt(i);
    if (code === expected) continue;
    if (code > 0x7f) return value.slice(0, scheme.length).toLowerCase() === scheme;
    // An ASCII upper-case letter whose lower-case form is the expected one.
    if (code >= 0x41 && code <= 0x5a && code + 0x20 === expected) continue;
    return false;
  }
  return true;
}

/**
 * `value.slice(start).trim()`, without the trim when both ends are visible ASCII (which trim keeps): the
 * common case, where the token is a slice of the header value and nothing else is allocated.
 */
function trimmedFrom(value: string, start: number): string {
  const first = value.charCodeAt(start);
  const last = value.charCodeAt(value.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f
    ? value.slice(start)
    : value.slice(start).trim();
}

/** Builds an extractor for the configured sources; the header path allocates nothing but the token. */
export function createTokenExtractor(sources: Sources): TokenExtractor {
  const headerName = sources.header.name.toLowerCase();
  const scheme = sources.header.scheme.toLowerCase();
  const schemeLength = scheme.length;
  // A named load of the usual header compiles to an inline property access; a keyed load by a computed
  // name goes through a keyed IC on every request.
  const headerValue =
    headerName === 'authorization'
      ? (request: RequestLike) => request.headers.authorization
      : (request: RequestLike) => request.headers[headerName];

  function fromHeader(request: RequestLike): string | undefined {
    const raw = headerValue(request);
    const value = typeof raw === 'string' ? raw : first(raw);
    if (value === undefined) return undefined;
    if (schemeLength === 0) return value.trim() || undefined;
    // `Bearer <token>`: scheme matched case-insensitively (RFC 9110 §11.1), then one or more spaces.
    if (value.length <= schemeLength || value.charCodeAt(schemeLength) !== 32) return undefined;
    if (!startsWithScheme(value, scheme)) return undefined;
    return trimmedFrom(value, schemeLength + 1) || undefined;
  }

  function fromQuery(request: RequestLike): string | undefined {
    const url = request.url;
    const start = url?.indexOf('?') ?? -1;
    if (!url || start < 0) return undefined;
    const values = new URLSearchParams(url.slice(start + 1)).getAll(sources.query.name);
    if (values.length > 1) throw several('query', `parameter repeated`);
    return values[0] || undefined;
  }

  function fromCookie(request: RequestLike): string | undefined {
    const header = first(request.headers.cookie);
    if (!header) return undefined;
    let found: string | undefined;
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== sources.cookie.name) continue;
      if (found !== undefined) throw several('cookie', 'cookie repeated');
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      found = value;
    }
    return found || undefined;
  }

  function fromBody(request: RequestLike): string | undefined {
    // RFC 6750 §2.2: only an application/x-www-form-urlencoded entity-body may carry the token.
    const type = first(request.headers['content-type']) ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
    const body = request.body;
    if (body === null || typeof body !== 'object') return undefined;
    const value = (body as Record<string, unknown>)[sources.body.name];
    if (Array.isArray(value)) throw several('body', 'parameter repeated');
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  const enabled: [TokenSourceKind, (request: RequestLike) => string | undefined][] = [];
  if (sources.header.enabled) enabled.push(['header', fromHeader]);
  if (sources.query.enabled) enabled.push(['query', fromQuery]);
  if (sources.cookie.enabled) enabled.push(['cookie', fromCookie]);
  if (sources.body.enabled) enabled.push(['body', fromBody]);
  const missing = () => new TokenguardError('bearerTokenMissing', 'token_missing');

  if (enabled.length === 1 && enabled[0][0] === 'header') {
    return {
      extract(request) {
        const token = fromHeader(request);
        if (token === undefined) throw missing();
        return { token, source: 'header' };
      },
    };
  }

  return {
    extract(request) {
      let found: ExtractedToken | undefined;
      for (const [source, read] of enabled) {
        const token = read(request);
        if (token === undefined) continue;
        if (found) throw several(source, `also given in ${found.source}`);
        found = { token, source };
      }
      if (!found) throw missing();
      return found;
    },
  };
}

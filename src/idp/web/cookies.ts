/**
 * @module idp/web/cookies
 * Reading and writing cookies (RFC 6265) for the browser pages, with safe defaults: `HttpOnly` (scripts
 * never see a session id), `SameSite=Lax` (cross-site POSTs carry no cookie; top-level navigations,
 * which an OAuth redirect back to the IdP is, still do), `Secure` whenever the IdP is served over HTTPS.
 *
 * `__Host-` names (RFC 6265bis §4.1.3.2) pin a cookie to the exact origin: they require `Secure`,
 * `Path=/` and no `Domain`, which `setCookie` enforces; `hostCookieName` adds the prefix when it can be
 * used (HTTPS) and leaves a plain name for local plain-HTTP set-ups.
 *
 * Names and values are checked against RFC 6265 §4.1.1 (token / cookie-octet), so nothing a caller passes
 * can inject attributes or headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CookieOptions {
  /** Adds `Secure`; required for `__Host-` names. */
  secure: boolean;
  path: string;
  /** Lifetime; omitted = a session cookie (gone when the browser closes). */
  maxAgeSeconds?: number;
  /** Default true. */
  httpOnly?: boolean;
  /** Default `Lax`. */
  sameSite?: 'Lax' | 'Strict';
}

/** RFC 7230 token characters (RFC 6265 §4.1.1 cookie-name). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 6265 §4.1.1 cookie-octet: no controls, whitespace, DQUOTE, comma, semicolon or backslash. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;

/** `__Host-<name>` over HTTPS, plain `<name>` otherwise (the prefix demands `Secure`). */
export function hostCookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

/**
 * The value of cookie `name` in the request's `Cookie` header, or undefined. With several of the same
 * name (a sibling sub-domain can add one) the first wins: browsers send the most specific path first.
 */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

function serialize(name: string, value: string, options: CookieOptions): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`Invalid cookie name: ${name}`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`Invalid value for cookie ${name}`);
  if (!PATH.test(options.path)) throw new TypeError(`Invalid cookie path: ${options.path}`);
  if (name.startsWith('__Host-') && (!options.secure || options.path !== '/')) {
    throw new TypeError('__Host- cookies need secure: true and path: "/" (RFC 6265bis §4.1.3.2)');
  }
  if (name.startsWith('__Secure-') && !options.secure) {
    throw new TypeError('__Secure- cookies need secure: true');
  }
  const parts = [`${name}=${value}`, `Path=${options.path}`];
  if (options.maxAgeSeconds !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  parts.push(`SameSite=${options.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

/** Appends a `Set-Cookie` header (earlier ones on the response are kept). */
export function setCookie(
  response: ServerResponse,
  name: string,
  value: string,
  options: CookieOptions,
): void {
  const cookie = serialize(name, value, options);
  const existing = response.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  response.setHeader('set-cookie', [...list, cookie]);
}

/** Tells the browser to drop cookie `name` (same name, path and security as when it was set). */
export function clearCookie(
  response: ServerResponse,
  name: string,
  options: { secure: boolean; path: string },
): void {
  setCookie(response, name, '', { ...options, maxAgeSeconds: 0 });
}

/**
 * @module idp/web/pre-session
 * A pre-session: an anonymous random id in an HttpOnly cookie, set when a sign-in form is shown, to which
 * that form's CSRF token is bound (`csrfTokenFor(id, secret)`). A forged cross-site sign-in POST has no
 * valid token for the victim's pre-session, which stops login CSRF (RFC 6749 §10.12). It holds no state on
 * the server and never becomes a session id (sign-in makes a fresh one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clearCookie, hostCookieName, readCookie, setCookie } from './cookies.ts';
import { newSessionId } from './session.ts';

const ID = /^[A-Za-z0-9_-]{43}$/;

export interface PreSessionOptions {
  secure: boolean;
  /** Cookie name before the `__Host-` prefix; default `tg_pre`. */
  name?: string;
}

function cookieName(options: PreSessionOptions): string {
  return hostCookieName(options.name ?? 'tg_pre', options.secure);
}

/** The request's pre-session id, or undefined (missing or malformed cookie). */
export function readPreSession(request: IncomingMessage, options: PreSessionOptions): string | undefined {
  const id = readCookie(request, cookieName(options));
  return id !== undefined && ID.test(id) ? id : undefined;
}

/** The request's pre-session id, setting a new cookie on `response` when there is none. */
export function ensurePreSession(
  request: IncomingMessage,
  response: ServerResponse,
  options: PreSessionOptions,
): string {
  const existing = readPreSession(request, options);
  if (existing) return existing;
  const id = newSessionId();
  setCookie(response, cookieName(options), id, { secure: options.secure, path: '/' });
  return id;
}

/** Drops the pre-session cookie (after sign-in). */
export function clearPreSession(response: ServerResponse, options: PreSessionOptions): void {
  clearCookie(response, cookieName(options), { secure: options.secure, path: '/' });
}

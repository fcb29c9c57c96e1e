/**
 * @module idp/web/csrf
 * CSRF tokens for the browser pages' forms (OWASP CSRF Prevention, "synchronizer token" without server
 * state): the token is an HMAC-SHA-256 of the session id under a server secret, so only pages rendered for
 * that session can carry it, and checking it needs nothing stored. Comparison runs in constant time.
 * `SameSite=Lax` session cookies already stop most cross-site POSTs; the token is the second, explicit
 * defence (older browsers, same-site sub-domains).
 *
 * Before sign-in there is no session: the sign-in form binds its token to a pre-session cookie instead
 * (see `pre-session`), which stops login CSRF (RFC 6749 §10.12: signing the victim into the attacker's
 * account). `csrfTokenFor` / `verifyCsrfFor` take such a binding directly.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebSession } from './session.ts';

/** A fresh 256-bit secret for one process (tokens of another process do not verify: sticky sessions). */
export function newCsrfSecret(): Buffer {
  return randomBytes(32);
}

/** The CSRF token of any binding (a session id, a pre-session id): HMAC-SHA-256, base64url. */
export function csrfTokenFor(binding: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`tokenguard-csrf\0${binding}`).digest('base64url');
}

/** Whether `token` is the CSRF token of `binding` (constant-time; anything but a string is false). */
export function verifyCsrfFor(binding: string, token: unknown, secret: Buffer): boolean {
  if (typeof token !== 'string' || binding === '') return false;
  const expected = Buffer.from(csrfTokenFor(binding, secret));
  const actual = Buffer.from(token);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The CSRF token to put in the forms of `session`'s pages. */
export function csrfToken(session: WebSession, secret: Buffer): string {
  return csrfTokenFor(session.id, secret);
}

/** Whether a submitted form's `token` belongs to `session`. */
export function verifyCsrf(session: WebSession, token: unknown, secret: Buffer): boolean {
  return verifyCsrfFor(session.id, token, secret);
}

/**
 * @module idp/console/sign-in
 * Signing in to a tenant's console, and out of it. Only an enabled user of that tenant with the
 * administrator flag gets in; everything else (unknown user, wrong password, disabled, not an
 * administrator) gets one generic message after the same password check (`web/passwords`), so the page
 * tells nobody which accounts exist or which are administrators (OWASP Authentication Cheat Sheet).
 *
 * - Login CSRF (RFC 6749 §10.12): the form's token is bound to a pre-session cookie (`web/pre-session`).
 * - Brute force: `web/throttle` per account and per address; a throttled attempt is refused with 429 and
 *   `Retry-After` before any password is checked.
 * - Session fixation: a successful sign-in always gets a new session id (`SessionStore.rotate`), and the
 *   id the browser came with is destroyed.
 * - The session cookie is HttpOnly, `SameSite=Strict` (the console is never entered from another site),
 *   `Secure` when the IdP speaks TLS, and scoped to this tenant's console path.
 * - Sign-out destroys the session on the server, so a copied cookie is worthless afterwards.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdpStore } from '../store/types.ts';
import { clearCookie, readCookie, setCookie } from '../web/cookies.ts';
import { csrfTokenFor, verifyCsrfFor } from '../web/csrf.ts';
import { html, sendRedirect } from '../web/html.ts';
import { verifyUserPassword } from '../web/passwords.ts';
import { clearPreSession, ensurePreSession, readPreSession } from '../web/pre-session.ts';
import type { SessionStore } from '../web/session.ts';
import type { SignInThrottle } from '../web/throttle.ts';
import { consolePage, errorSummary, sendConsolePage, textField } from './layout.ts';
import { type ConsolePath, consoleHref } from './paths.ts';

export const GENERIC_FAILURE = 'Wrong user name or password, or no administrator of this tenant.';

export interface SignInDeps {
  store: Pick<IdpStore, 'users'>;
  sessions: SessionStore;
  throttle: SignInThrottle;
  csrfSecret: Buffer;
  /** The IdP speaks TLS: cookies get `Secure` (and the `__Secure-` prefix). */
  secure: boolean;
}

/** The session cookie's name; `__Secure-` (RFC 6265bis §4.1.3.1) when it can carry the prefix. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Secure-tg_console' : 'tg_console';
}

/** The console session id the request carries, if any. */
export function sessionIdOf(request: IncomingMessage, secure: boolean): string | undefined {
  return readCookie(request, sessionCookieName(secure));
}

/** Where to go after sign-in: a path inside this console only (never an open redirect). */
export function safeNext(next: string | null | undefined, path: ConsolePath): string {
  const fallback = consoleHref(path.tenant, 'applications');
  if (!next || !/^[\x21-\x7e]+$/.test(next) || next.includes('//') || next.includes('\\')) return fallback;
  return next === path.base || next.startsWith(`${path.base}/`) ? next : fallback;
}

const preSessionOptions = (secure: boolean) => ({ secure, name: 'tg_console_pre' });

/** The sign-in form; `notice` explains why it is shown (signed out, session ended). */
export function showSignIn(
  request: IncomingMessage,
  response: ServerResponse,
  path: ConsolePath,
  deps: SignInDeps,
  options: {
    status?: number;
    error?: string;
    notice?: string;
    next?: string;
    username?: string;
    headers?: Record<string, string>;
  } = {},
): void {
  const binding = ensurePreSession(request, response, preSessionOptions(deps.secure));
  const body = html`${options.error ? errorSummary([{ field: 'username', message: options.error }]) : ''}
${options.notice ? html`<p class="flash" role="status">${options.notice}</p>` : ''}
<p>Administrators of tenant <strong>${path.tenant}</strong> sign in here.</p>
<form method="post" action="${consoleHref(path.tenant, 'sign-in')}" class="narrow">
<input type="hidden" name="csrf" value="${csrfTokenFor(binding, deps.csrfSecret)}">
<input type="hidden" name="next" value="${safeNext(options.next, path)}">
${textField({ name: 'username', label: 'User name', value: options.username, required: true, autocomplete: 'username' })}
${textField({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
<button type="submit">Sign in</button>
</form>`;
  sendConsolePage(
    response,
    options.status ?? 200,
    consolePage({ title: 'Sign in to the console', body, tenant: path.tenant }),
    options.headers,
  );
}

/** Handles the sign-in form (already read); answers the page or the redirect into the console. */
export async function submitSignIn(
  request: IncomingMessage,
  response: ServerResponse,
  path: ConsolePath,
  deps: SignInDeps,
  form: URLSearchParams,
): Promise<boolean> {
  const binding = readPreSession(request, preSessionOptions(deps.secure));
  if (binding === undefined || !verifyCsrfFor(binding, form.get('csrf'), deps.csrfSecret)) return false;
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const next = form.get('next') ?? undefined;
  const account = `${path.tenant}/${username}`;
  const ip = request.socket.remoteAddress ?? '';
  const decision = deps.throttle.check(account, ip);
  if (!decision.allowed) {
    showSignIn(request, response, path, deps, {
      status: 429,
      error: `Too many failed attempts. Try again in ${decision.retryAfterSeconds} s.`,
      next,
      username,
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
    return true;
  }
  const user = await verifyUserPassword(deps.store, path.tenant, username, password);
  if (!user?.admin) {
    deps.throttle.failure(account, ip);
    showSignIn(request, response, path, deps, { status: 401, error: GENERIC_FAILURE, next, username });
    return true;
  }
  deps.throttle.success(account, ip);
  const session = deps.sessions.rotate(sessionIdOf(request, deps.secure), {
    tenant: path.tenant,
    username: user.username,
    kind: 'admin',
  });
  setCookie(response, sessionCookieName(deps.secure), session.id, {
    secure: deps.secure,
    path: path.base,
    httpOnly: true,
    sameSite: 'Strict',
  });
  clearPreSession(response, preSessionOptions(deps.secure));
  sendRedirect(response, safeNext(next, path));
  return true;
}

/** Ends the session (server side and cookie) and returns to the sign-in page. */
export function signOut(
  response: ServerResponse,
  path: ConsolePath,
  deps: SignInDeps,
  sessionId: string,
): void {
  deps.sessions.destroy(sessionId);
  clearCookie(response, sessionCookieName(deps.secure), { secure: deps.secure, path: path.base });
  sendRedirect(response, `${consoleHref(path.tenant, 'sign-in')}?signed-out=1`);
}

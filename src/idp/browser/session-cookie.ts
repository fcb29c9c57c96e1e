/**
 * @module idp/browser/session-cookie
 * The sign-in session of a tenant in the browser: one cookie per tenant (`__Host-tg_session-<tenant>` over
 * HTTPS), holding only the session id of the `SessionStore`. A session found under another tenant's cookie,
 * or of another kind (a console session), is no session here.
 */
import { clearCookie, hostCookieName, readCookie, setCookie } from '../web/cookies.ts';
import type { WebSession } from '../web/session.ts';
import type { PageRequest } from './types.ts';

function cookieName(page: PageRequest): string {
  return hostCookieName(`tg_session-${page.route.tenant}`, page.secure);
}

/** The live sign-in session of the request's tenant, if any (touched: its idle timer restarts). */
export function currentSession(page: PageRequest): WebSession | undefined {
  const session = page.browser.sessions.get(readCookie(page.request, cookieName(page)));
  return session?.tenant === page.route.tenant && session.kind === 'user' ? session : undefined;
}

/** Signs `username` in: a new session under a new id (the old one, if any, destroyed: fixation defence). */
export function startSession(page: PageRequest, username: string): WebSession {
  const previous = readCookie(page.request, cookieName(page));
  const session = page.browser.sessions.rotate(previous, {
    tenant: page.route.tenant,
    username,
    kind: 'user',
  });
  setCookie(page.response, cookieName(page), session.id, { secure: page.secure, path: '/' });
  return session;
}

/** Signs out: destroys the session and drops the cookie. */
export function endSession(page: PageRequest, session: WebSession | undefined): void {
  if (session) page.browser.sessions.destroy(session.id);
  clearCookie(page.response, cookieName(page), { secure: page.secure, path: '/' });
}

/** Consents the user gave in this session: per client id, the scopes granted (kept until sign-out). */
function consents(session: WebSession): Map<string, Set<string>> {
  const stored = session.data.consents;
  if (stored instanceof Map) return stored as Map<string, Set<string>>;
  const fresh = new Map<string, Set<string>>();
  session.data.consents = fresh;
  return fresh;
}

/** Whether the user already allowed `clientId` every scope of `scope` in this session. */
export function hasConsent(session: WebSession, clientId: string, scope: readonly string[]): boolean {
  const granted = consents(session).get(clientId);
  return granted !== undefined && scope.every((entry) => granted.has(entry));
}

export function rememberConsent(session: WebSession, clientId: string, scope: readonly string[]): void {
  const all = consents(session);
  all.set(clientId, new Set([...(all.get(clientId) ?? []), ...scope]));
}

/**
 * @module idp/browser/flow
 * The authorization code flow in the browser (RFC 6749 §4.1, OIDC Core §3.1): the authorization endpoint,
 * the sign-in form and the consent form, all converging on `proceed`, which decides the next step from the
 * checked request and the session:
 *
 * 1. no session, `prompt=login`, or a sign-in older than `max_age` → the sign-in page (or `login_required`
 *    with `prompt=none`, OIDC Core §3.1.2.6);
 * 2. a third-party client without a consent remembered in the session for these scopes, or
 *    `prompt=consent` → the consent page (or `consent_required`); first-party clients skip it;
 * 3. otherwise a code, redirected to the registered redirect URI with `state` and `iss` (RFC 9207).
 *
 * Each form carries the serialized request and is checked again on the way back (nothing about the request
 * is trusted from the form that the authorization endpoint would not accept). Sign-in: CSRF bound to a
 * pre-session cookie (login CSRF), brute-force back-off (429 + Retry-After), one generic failure message,
 * a fresh session id on success (fixation). Consent: CSRF bound to the session.
 */
import { randomUUID } from 'node:crypto';
import { csrfToken, csrfTokenFor, verifyCsrf, verifyCsrfFor } from '../web/csrf.ts';
import { readForm } from '../web/form.ts';
import { sendHtml, sendRedirect } from '../web/html.ts';
import { verifyUserPassword } from '../web/passwords.ts';
import { clearPreSession, ensurePreSession, readPreSession } from '../web/pre-session.ts';
import type { WebSession } from '../web/session.ts';
import {
  type AuthorizationRequest,
  errorRedirect,
  readAuthorizationRequest,
} from './authorization-request.ts';
import { CODE_LIFETIME_SECONDS } from './code.ts';
import { consentPage, SIGN_IN_FAILED, signInPage } from './pages.ts';
import { withParameters } from './redirect-uri.ts';
import { answerInvalid, csrfRejected } from './respond.ts';
import { currentSession, endSession, hasConsent, rememberConsent, startSession } from './session-cookie.ts';
import type { PageRequest } from './types.ts';

interface Satisfied {
  /** The user signed in during this request (prompt=login and max_age are met). */
  signedIn?: boolean;
  /** The user allowed the request during this request. */
  consented?: boolean;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A form of the pages, as large as the IdP allows bodies (it carries a whole authorization request). */
export function readPageForm(page: PageRequest): Promise<URLSearchParams> {
  return readForm(page.request, page.services.config.limits.maxBodyBytes);
}

/** Where the consent page says the browser goes: the redirect URI's origin (a native app's scheme and path). */
function destination(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.origin === 'null' ? `${url.protocol}${url.pathname}` : url.origin;
}

/** Reads and checks a request; answers it when invalid, else returns it. */
async function checkedRequest(
  page: PageRequest,
  parameters: string,
): Promise<AuthorizationRequest | undefined> {
  const outcome = await readAuthorizationRequest(page.services.store, page.realm, parameters);
  if (outcome.kind === 'valid') return outcome.request;
  answerInvalid(page, outcome);
  return undefined;
}

function showSignIn(
  page: PageRequest,
  request: AuthorizationRequest,
  options: { status?: number; error?: string; username?: string; retryAfter?: number } = {},
): void {
  const preSession = ensurePreSession(page.request, page.response, { secure: page.secure });
  sendHtml(
    page.response,
    options.status ?? 200,
    signInPage({
      action: page.urls.signin ?? '',
      csrfToken: csrfTokenFor(preSession, page.browser.csrfSecret),
      authorizationRequest: request.serialized,
      clientName: request.client.name,
      username: options.username,
      error: options.error,
    }),
    options.retryAfter === undefined ? {} : { 'retry-after': String(options.retryAfter) },
  );
}

function showConsent(page: PageRequest, request: AuthorizationRequest, session: WebSession): void {
  sendHtml(
    page.response,
    200,
    consentPage({
      action: page.urls.consent ?? '',
      csrfToken: csrfToken(session, page.browser.csrfSecret),
      authorizationRequest: request.serialized,
      clientName: request.client.name,
      username: session.username,
      scope: request.scope,
      returnTo: destination(request.redirectUri),
      logoutUrl: page.urls.logout,
    }),
  );
}

/** Issues the code and redirects to the client (RFC 6749 §4.1.2). */
async function redirectWithCode(page: PageRequest, request: AuthorizationRequest, session: WebSession) {
  const now = nowSeconds();
  const code = await page.browser.codes.seal({
    jti: randomUUID(),
    tenant: page.realm.tenant,
    issuer: page.realm.issuer,
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    subject: session.username,
    authTime: Math.floor(session.createdAt / 1000),
    nonce: request.nonce,
    iat: now,
    exp: now + CODE_LIFETIME_SECONDS,
  });
  page.services.logger.info(
    { tenant: page.realm.tenant, client_id: request.client.clientId },
    'authorization code issued',
  );
  sendRedirect(
    page.response,
    withParameters(request.redirectUri, { code, state: request.state, iss: page.realm.issuer }),
  );
}

function refuse(page: PageRequest, request: AuthorizationRequest, error: string, description: string): void {
  answerInvalid(page, errorRedirect(page.realm, request.redirectUri, request.state, error, description));
}

/** The next step of a checked request (see the module comment). */
async function proceed(
  page: PageRequest,
  request: AuthorizationRequest,
  found: WebSession | undefined,
  satisfied: Satisfied = {},
): Promise<void> {
  let session = found;
  if (session) {
    // A user disabled or removed since sign-in has no session any more.
    const user = await page.services.store.users.get(page.realm.tenant, session.username);
    if (!user || user.disabled) {
      endSession(page, session);
      session = undefined;
    }
  }
  const age = session ? (Date.now() - session.createdAt) / 1000 : 0;
  const loginDue =
    !satisfied.signedIn &&
    (request.prompt.has('login') || (request.maxAge !== undefined && age > request.maxAge));
  if (!session || loginDue) {
    if (request.prompt.has('none'))
      return refuse(page, request, 'login_required', 'The user is not signed in.');
    return showSignIn(page, request);
  }
  const consentDue =
    !satisfied.consented &&
    (request.prompt.has('consent') ||
      (request.client.firstParty !== true && !hasConsent(session, request.client.clientId, request.scope)));
  if (consentDue) {
    if (request.prompt.has('none'))
      return refuse(page, request, 'consent_required', 'The user has not consented.');
    return showConsent(page, request, session);
  }
  return redirectWithCode(page, request, session);
}

/** The authorization endpoint (GET, and POST per OIDC Core §3.1.2.1). */
export async function authorize(page: PageRequest): Promise<void> {
  const parameters = page.request.method === 'POST' ? (await readPageForm(page)).toString() : page.query;
  const request = await checkedRequest(page, parameters);
  if (request) await proceed(page, request, currentSession(page));
}

/** The sign-in form's target (POST). */
export async function signIn(page: PageRequest): Promise<void> {
  const form = await readPageForm(page);
  const preSession = readPreSession(page.request, { secure: page.secure });
  if (!preSession || !verifyCsrfFor(preSession, form.get('csrf_token'), page.browser.csrfSecret)) {
    return csrfRejected(page);
  }
  const request = await checkedRequest(page, form.get('authorization_request') ?? '');
  if (!request) return;
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const account = `${page.realm.tenant}/${username}`;
  const address = page.request.socket.remoteAddress ?? '';
  const { throttle } = page.browser;
  const decision = throttle.check(account, address);
  if (!decision.allowed) {
    page.services.logger.warn({ tenant: page.realm.tenant, remote_address: address }, 'sign-in throttled');
    return showSignIn(page, request, {
      status: 429,
      username,
      retryAfter: decision.retryAfterSeconds,
      error: `Too many failed attempts. Try again in ${decision.retryAfterSeconds} seconds.`,
    });
  }
  const user = await verifyUserPassword(page.services.store, page.realm.tenant, username, password);
  if (!user) {
    throttle.failure(account, address);
    page.services.logger.info({ tenant: page.realm.tenant, remote_address: address }, 'sign-in failed');
    return showSignIn(page, request, { username, error: SIGN_IN_FAILED });
  }
  throttle.success(account, address);
  const session = startSession(page, user.username);
  clearPreSession(page.response, { secure: page.secure });
  page.services.logger.info(
    { tenant: page.realm.tenant, client_id: request.client.clientId },
    'user signed in',
  );
  await proceed(page, request, session, { signedIn: true });
}

/** The consent form's target (POST). */
export async function consent(page: PageRequest): Promise<void> {
  const form = await readPageForm(page);
  const session = currentSession(page);
  if (session && !verifyCsrf(session, form.get('csrf_token'), page.browser.csrfSecret))
    return csrfRejected(page);
  const request = await checkedRequest(page, form.get('authorization_request') ?? '');
  if (!request) return;
  // The session ended meanwhile: start again from sign-in.
  if (!session) return proceed(page, request, undefined);
  if (form.get('decision') !== 'allow') {
    return refuse(page, request, 'access_denied', 'The user denied the request.');
  }
  rememberConsent(session, request.client.clientId, request.scope);
  await proceed(page, request, session, { consented: true });
}

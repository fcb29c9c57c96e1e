/**
 * @module idp/browser/pages
 * The HTML of the browser sign-in: sign-in form, consent, error, sign-out. Every page is a `web/html`
 * document (escaped interpolation, inline CSS under the CSP, accessible structure); forms carry a CSRF
 * token and the authorization request they continue, and post to the IdP's own endpoints. Messages never
 * echo protocol input other than the user name the user typed and the registered client name.
 */
import { html, page } from '../web/html.ts';
import { describeScope } from './scopes.ts';

/** One generic message whatever failed (unknown user, wrong password, disabled account). */
export const SIGN_IN_FAILED = 'Invalid username or password.';

export interface SignInView {
  action: string;
  csrfToken: string;
  /** The serialized authorization request this sign-in continues. */
  authorizationRequest: string;
  clientName: string;
  username?: string;
  error?: string;
}

export function signInPage(view: SignInView): string {
  const error = view.error
    ? html`<p class="error" role="alert" id="sign-in-error">${view.error}</p>`
    : undefined;
  const described = view.error ? 'sign-in-error' : undefined;
  return page({
    title: 'Sign in',
    body: html`<h1>Sign in</h1>
<p>to continue to <strong>${view.clientName}</strong></p>
${error}
<form method="post" action="${view.action}">
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
<input type="hidden" name="authorization_request" value="${view.authorizationRequest}">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${view.username ?? ''}" autocomplete="username"
 autocapitalize="none" spellcheck="false" required autofocus${described ? html` aria-describedby="${described}"` : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  });
}

export interface ConsentView {
  action: string;
  csrfToken: string;
  authorizationRequest: string;
  clientName: string;
  username: string;
  scope: readonly string[];
  /** Where the browser goes next (the redirect URI's origin), so the user sees who receives the answer. */
  returnTo: string;
  logoutUrl?: string;
}

export function consentPage(view: ConsentView): string {
  const items = view.scope.length
    ? view.scope.map((scope) => html`<li>${describeScope(scope)}</li>`)
    : [html`<li>Know that you signed in</li>`];
  const notYou = view.logoutUrl ? html` <a href="${view.logoutUrl}">Not you? Sign out</a>` : undefined;
  return page({
    title: `Allow ${view.clientName}?`,
    body: html`<h1>Allow <strong>${view.clientName}</strong> access?</h1>
<p><strong>${view.clientName}</strong> asks to:</p>
<ul>${items}</ul>
<p class="muted">You are signed in as <strong>${view.username}</strong>.${notYou}</p>
<p class="muted">After your choice you return to ${view.returnTo}.</p>
<form method="post" action="${view.action}">
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
<input type="hidden" name="authorization_request" value="${view.authorizationRequest}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}

/** A page for a request that cannot continue (no trusted redirect URI, an expired form, …). */
export function errorPage(title: string, message: string): string {
  return page({
    title,
    body: html`<h1>${title}</h1>
<p class="error" role="alert">${message}</p>
<p>Return to the application you came from and start again.</p>`,
  });
}

export interface LogoutView {
  action: string;
  csrfToken: string;
  /** Parameters of the logout request to carry through the confirmation. */
  hidden: Readonly<Record<string, string | undefined>>;
  username: string;
}

/** RP-Initiated Logout §2: the user confirms, so a cross-site link cannot sign anyone out. */
export function logoutPage(view: LogoutView): string {
  const hidden = Object.entries(view.hidden)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return page({
    title: 'Sign out',
    body: html`<h1>Sign out?</h1>
<p>You are signed in as <strong>${view.username}</strong>.</p>
<form method="post" action="${view.action}">
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
${hidden}
<button type="submit">Sign out</button>
</form>`,
  });
}

export function signedOutPage(): string {
  return page({
    title: 'Signed out',
    body: html`<h1>You are signed out</h1>
<p>You can close this window.</p>`,
  });
}

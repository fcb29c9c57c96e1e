/**
 * @module idp/browser/logout
 * RP-Initiated Logout 1.0, the basics: `GET|POST <logout>` with optional `id_token_hint`, `client_id`,
 * `post_logout_redirect_uri` and `state`.
 *
 * - A `post_logout_redirect_uri` is followed only when it is registered, exactly, for the client named by
 *   `client_id` or by the hint's audience (§3: "MUST NOT perform post-logout redirection" otherwise);
 *   anything else is an error page, never a redirect (no open redirector).
 * - Signing out needs the user's confirmation (§2: the OP SHOULD ask), given with a CSRF-protected POST, so
 *   a link or image on another site cannot sign anyone out; a valid `id_token_hint` for the signed-in user
 *   is the RP's proof and skips the question.
 * - After sign-out: the redirect (with `state`), or a "signed out" page.
 */
import type { Client } from '../model.ts';
import { csrfToken, verifyCsrf } from '../web/csrf.ts';
import { sendHtml, sendRedirect } from '../web/html.ts';
import { readPageForm } from './flow.ts';
import { readIdTokenHint } from './id-token.ts';
import { logoutPage, signedOutPage } from './pages.ts';
import { isRegistered, withParameters } from './redirect-uri.ts';
import { csrfRejected, showError } from './respond.ts';
import { currentSession, endSession } from './session-cookie.ts';
import type { PageRequest } from './types.ts';

const PARAMETERS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;

export async function logout(page: PageRequest): Promise<void> {
  const post = page.request.method === 'POST';
  const form = post ? await readPageForm(page) : new URLSearchParams(page.query);
  const session = currentSession(page);
  if (post && session && !verifyCsrf(session, form.get('csrf_token'), page.browser.csrfSecret)) {
    return csrfRejected(page);
  }
  const hint = form.get('id_token_hint');
  const hinted = hint ? await readIdTokenHint(page.browser.keys, page.realm, hint) : undefined;
  if (hint && !hinted) return showError(page, 400, 'Sign-out failed', 'The id_token_hint is not valid.');

  const target = form.get('post_logout_redirect_uri') ?? undefined;
  let location: string | undefined;
  if (target !== undefined) {
    const clientId = form.get('client_id') ?? hinted?.audience[0];
    const client: Client | undefined = clientId
      ? await page.services.store.clients.get(page.realm.tenant, clientId)
      : undefined;
    const audienceOk = !hinted || (client !== undefined && hinted.audience.includes(client.clientId));
    if (!client || client.disabled || !audienceOk || !isRegistered(target, client.postLogoutRedirectUris)) {
      return showError(page, 400, 'Sign-out failed', 'The post_logout_redirect_uri is not registered.');
    }
    location = withParameters(target, { state: form.get('state') ?? undefined });
  }

  const confirmed = post || (session !== undefined && hinted?.subject === session.username);
  if (session && !confirmed) {
    const hidden = Object.fromEntries(PARAMETERS.map((name) => [name, form.get(name) ?? undefined]));
    return sendHtml(
      page.response,
      200,
      logoutPage({
        action: page.urls.logout ?? '',
        csrfToken: csrfToken(session, page.browser.csrfSecret),
        hidden,
        username: session.username,
      }),
    );
  }
  endSession(page, session);
  if (session) page.services.logger.info({ tenant: page.realm.tenant }, 'user signed out');
  if (location) return sendRedirect(page.response, location);
  sendHtml(page.response, 200, signedOutPage());
}

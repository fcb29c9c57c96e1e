/**
 * @module idp/browser/respond
 * The answers of the browser endpoints: pages (with the `web/html` security headers), redirects, and
 * the outcome of reading an authorization request (an error page or an error redirect).
 */
import { sendHtml, sendRedirect } from '../web/html.ts';
import type { AuthorizationOutcome } from './authorization-request.ts';
import { errorPage } from './pages.ts';
import type { PageRequest } from './types.ts';

export function showError(page: PageRequest, status: number, title: string, message: string): void {
  sendHtml(page.response, status, errorPage(title, message));
}

/** Answers an outcome that is not `valid`: a 400 page (no trusted redirect URI) or the error redirect. */
export function answerInvalid(
  page: PageRequest,
  outcome: Exclude<AuthorizationOutcome, { kind: 'valid' }>,
): void {
  if (outcome.kind === 'page') showError(page, 400, 'Sign-in request rejected', outcome.message);
  else sendRedirect(page.response, outcome.location);
}

/** 403 for a form without a valid CSRF token (expired page, or posted by another site). */
export function csrfRejected(page: PageRequest): void {
  showError(
    page,
    403,
    'Form expired',
    'This form has expired or was not sent from this site. Go back, reload the page and try again.',
  );
}

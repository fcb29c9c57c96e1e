/**
 * @module idp/web/form
 * The body of a page's form POST, read by the IdP's strict form reader (`endpoints/form-body`): only
 * `application/x-www-form-urlencoded` (what HTML forms send), at most `maxBytes` (413 past it), valid
 * UTF-8, no repeated names. Its errors are TokenguardErrors (400 / 413) the page renders.
 */
import type { IncomingMessage } from 'node:http';
import { readForm as readFormBody } from '../endpoints/form-body.ts';

/** Forms of the pages are small: a user name, a password, a CSRF token, an authorization request. */
export const DEFAULT_FORM_BYTES = 16 * 1024;

export async function readForm(
  request: IncomingMessage,
  maxBytes = DEFAULT_FORM_BYTES,
): Promise<URLSearchParams> {
  return new URLSearchParams([...(await readFormBody(request, maxBytes))]);
}

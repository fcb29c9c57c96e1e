/**
 * @module idp/browser/redirect-uri
 * Redirect URIs: exact string comparison against the client's registrations (RFC 9700 §4.1.3 and
 * §2.1: no prefix, wildcard or normalizing match, which is what open redirectors and code theft exploit),
 * and building the redirect: parameters appended to the query the registered URI may already have
 * (RFC 6749 §3.1.2: "MUST retain" it), the URI otherwise untouched.
 */

/** Whether `uri` is one of `registered`, character for character. */
export function isRegistered(uri: string, registered: readonly string[] | undefined): boolean {
  return registered?.includes(uri) === true;
}

/** `uri` with `parameters` added to its query component. */
export function withParameters(uri: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.append(name, value);
  const text = query.toString();
  if (text === '') return uri;
  return `${uri}${uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?'}${text}`;
}

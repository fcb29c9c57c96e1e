/**
 * @module gateway/forward/credential
 * Removing the client's token before the request goes upstream (Kong `hide_credentials`, Traefik
 * `forwardAuthorization: false`): a query or form parameter is cut out of its `a=1&b=2` list (the other
 * pairs keep their exact bytes), a cookie out of the `Cookie` header. The header source is a plain header
 * removal, done by the proxy engine from the plan.
 */

function decodedName(pair: string): string {
  const eq = pair.indexOf('=');
  const name = eq < 0 ? pair : pair.slice(0, eq);
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** `a=1&access_token=x&b=2` without the pairs named `name` → `a=1&b=2`. */
export function withoutParam(list: string, name: string): string {
  return list
    .split('&')
    .filter((pair) => pair !== '' && decodedName(pair) !== name)
    .join('&');
}

/** The request target without the query parameter `name`. */
export function withoutQueryParam(url: string, name: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = withoutParam(url.slice(question + 1), name);
  return query ? `${url.slice(0, question)}?${query}` : url.slice(0, question);
}

/** The `Cookie` header without the cookie `name` (RFC 6265 §5.4 `name=value; name=value`); '' if none is left. */
export function withoutCookie(header: string, name: string): string {
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && pair.slice(0, Math.max(pair.indexOf('='), 0)).trim() !== name)
    .join('; ');
}

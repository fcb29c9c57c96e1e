/**
 * @module gateway/proxy/path
 * The request-target sent upstream: the upstream's base path, then the client's path minus the route's
 * `stripPrefix`, then the query, all as the client wrote them. Nothing is decoded or re-encoded: `%2F`
 * stays `%2F`, `+` stays `+`, so upstream and gateway see the same resource (RFC 3986 §6.2.1 lets two
 * parties disagree on decoded forms; the raw bytes are what both can agree on).
 */

/**
 * Splits `requestTarget` (node's `request.url`: origin-form `/p?q`, or absolute-form `http://h/p?q`,
 * RFC 9112 §3.2) into the raw path and the raw `?query` (empty when there is none).
 */
export function splitTarget(requestTarget: string): { path: string; query: string } {
  let target = requestTarget;
  if (!target.startsWith('/')) {
    // absolute-form: keep what follows the authority, as written (RFC 9112 §3.2.2)
    const scheme = target.indexOf('://');
    const slash = scheme === -1 ? -1 : target.indexOf('/', scheme + 3);
    const question = scheme === -1 ? -1 : target.indexOf('?', scheme + 3);
    if (slash !== -1 && (question === -1 || slash < question)) target = target.slice(slash);
    else if (question !== -1) target = `/${target.slice(question)}`;
    else target = '/';
  }
  const at = target.indexOf('?');
  return at === -1 ? { path: target, query: '' } : { path: target.slice(0, at), query: target.slice(at) };
}

/**
 * `path` without `prefix` when the prefix ends at a segment boundary (`/api` strips `/api` and `/api/x`,
 * not `/apix`); the result always starts with `/`.
 */
export function stripPathPrefix(path: string, prefix: string): string {
  if (!prefix || prefix === '/' || !path.startsWith(prefix)) return path;
  const rest = path.slice(prefix.length);
  if (rest === '') return '/';
  if (prefix.endsWith('/')) return `/${rest}`;
  return rest.startsWith('/') ? rest : path;
}

/** The base path of an upstream URL without its trailing slash (`''` for `http://h:1` and `http://h:1/`). */
export function basePathOf(url: URL): string {
  const path = url.pathname;
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The request-target to send upstream: base path + (client path − prefix) + query. */
export function upstreamPath(basePath: string, requestTarget: string, stripPrefix: string): string {
  const { path, query } = splitTarget(requestTarget);
  return basePath + stripPathPrefix(path, stripPrefix) + query;
}

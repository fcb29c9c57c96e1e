/**
 * @module gateway/routing/path-pattern
 * Path matchers of routes: a plain prefix (`pathPrefix`, as Traefik's PathPrefix and Kong's paths), an
 * exact path, or a pattern where `:name` stands for one non-empty segment and `*` for any rest
 * (`/users/:id/orders/*`). Compiled once from the (trusted) configuration.
 */

export type PathMatcher = (path: string) => boolean;

const ANY: PathMatcher = () => true;

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.|?+()[\]{}*]/g, '\\$&');
}

/** Compiles `/users/:id/*` to an anchored regular expression; undefined when the path is exact. */
function patternSource(pattern: string): string | undefined {
  if (!pattern.includes('*') && !/(^|\/):[^/]/.test(pattern)) return undefined;
  return pattern
    .split('/')
    .map((segment) => (/^:[^/]+$/.test(segment) ? '[^/]+' : segment.split('*').map(escapeRegExp).join('.*')))
    .join('/');
}

export function compilePathMatcher(match: {
  readonly path: string;
  readonly pathPrefix: string;
}): PathMatcher {
  if (match.path) {
    const source = patternSource(match.path);
    if (source === undefined) {
      const exact = match.path;
      return (path) => path === exact;
    }
    const expression = new RegExp(`^${source}$`);
    return (path) => expression.test(path);
  }
  if (match.pathPrefix) {
    const prefix = match.pathPrefix;
    return (path) => path.startsWith(prefix);
  }
  return ANY;
}

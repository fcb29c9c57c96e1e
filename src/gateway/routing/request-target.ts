/**
 * @module gateway/routing/request-target
 * The path a route is matched on, made equal to the path the upstream will see. Without this a request can
 * match one route and be served by the upstream as another (`/public/../admin`, `//admin`, `/%61dmin`):
 * the gateway normalizes the path once (RFC 3986 §6.2.2: percent-encoded unreserved characters decoded,
 * §5.2.4: dot-segments removed; runs of slashes merged, as Envoy's `merge_slashes`), matches on the result
 * and forwards the result. Encoded slashes and backslashes are refused unless allowed: an upstream that
 * decodes them would see a path the gateway did not match.
 */
import { TokenguardError } from '../../errors/tokenguard-error.ts';

export interface RequestTarget {
  /** The normalized path (starts with `/`). */
  readonly path: string;
  /** The query with its `?`, or `''`. */
  readonly search: string;
  /** `path + search`: what goes upstream. */
  readonly url: string;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const NEEDS_WORK = /%|\\|\/\/|\/\.\.?(\/|$)/;

function badTarget(detail: string): TokenguardError {
  return new TokenguardError('invalidRequest', 'request_target_invalid', {
    detail: `request target: ${detail}`,
  });
}

/** Decodes %XX of unreserved characters, upper-cases the hex of the others; throws on a bad escape. */
function normalizeEscapes(path: string, allowEncodedSlashes: boolean): string {
  if (!path.includes('%')) return path;
  return path.replace(/%(.{0,2})/g, (encoded, hex: string) => {
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw badTarget('bad percent-encoding');
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    if (UNRESERVED.test(char)) return char;
    if (!allowEncodedSlashes && (char === '/' || char === '\\')) throw badTarget('encoded slash');
    return encoded.toUpperCase();
  });
}

/** RFC 3986 §5.2.4 remove_dot_segments, on a path that starts with `/`, plus merging of `//`. */
function removeDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split('/');
  // segments[0] is the empty string before the leading slash.
  for (let index = 1; index < segments.length; index++) {
    const segment = segments[index];
    const last = index === segments.length - 1;
    if (segment === '..') {
      output.pop();
      if (last) output.push('');
    } else if (segment === '.') {
      if (last) output.push('');
    } else if (segment === '' && !last) {
      // `//`: merged.
    } else {
      output.push(segment);
    }
  }
  return `/${output.join('/')}`;
}

/**
 * Parses and normalizes a request target (origin-form, or absolute-form from a proxy client). Throws
 * `invalidRequest` (400) for targets that cannot be matched safely.
 */
export function normalizeTarget(raw: string | undefined, allowEncodedSlashes: boolean): RequestTarget {
  let target = raw ?? '/';
  if (!target.startsWith('/')) {
    // RFC 9112 §3.2.2 absolute-form; `*` (asterisk-form) and authority-form have no route.
    if (!/^https?:\/\//i.test(target)) throw badTarget('not a path');
    const parsed = new URL(target);
    target = `${parsed.pathname}${parsed.search}`;
  }
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const question = target.indexOf('?');
  const rawPath = question < 0 ? target : target.slice(0, question);
  const search = question < 0 ? '' : target.slice(question);
  // The common path has nothing to normalize: no escape, no dot segment, no `//`, no backslash.
  if (!NEEDS_WORK.test(rawPath)) return { path: rawPath, search, url: rawPath + search };
  if (rawPath.includes('\\') && !allowEncodedSlashes) throw badTarget('backslash');
  const path = removeDotSegments(normalizeEscapes(rawPath, allowEncodedSlashes));
  return { path, search, url: path + search };
}

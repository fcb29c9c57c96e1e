/**
 * @module jwt/issuer-pattern
 * A trusted-issuer URL whose HOST may hold `*` wildcards (`https://*.example.com/idp`), compiled once.
 *
 * Matching is done on a strict textual split of the `iss` value, never by handing a half-trusted string to
 * a lenient URL parser: the host of an `iss` may hold only letters, digits, `-` and `.` (RFC 1123 §2.1
 * host names), so userinfo (`x.example.com@evil.com`), a host hidden in the path
 * (`evil.com/.example.com`), backslashes, percent-escapes and IPv6 literals can never reach the host
 * comparison. Scheme, port and path (with query) must equal the pattern's, up to one terminating `/`.
 */
import { withoutTrailingSlash } from '../discovery/issuer-identifier.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';

/** RFC 3986 §3 split: scheme, host, optional port, optional path-and-query. No fragment, no whitespace. */
const ISSUER_SHAPE = /^(https?):\/\/([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?([/?][^#\s\\]*)?$/;
/** The same for a pattern, whose host may hold `*`. */
const PATTERN_SHAPE = /^(https?):\/\/([A-Za-z0-9.*-]+)(?::([0-9]{1,5}))?([/?][^#\s\\]*)?$/;
/** One DNS label (RFC 1123 §2.1): letters, digits, inner hyphens. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** One label of a pattern: may also hold `*`. */
const PATTERN_LABEL = /^[a-z0-9*](?:[a-z0-9*-]{0,61}[a-z0-9*])?$/;

interface SplitUrl {
  scheme: string;
  host: string;
  port: string;
  /** Path and query, with one terminating `/` removed. */
  rest: string;
}

function split(text: string, shape: RegExp): SplitUrl | undefined {
  const match = shape.exec(text);
  if (match === null) return undefined;
  return {
    scheme: match[1],
    // RFC 3986 §6.2.2.1: scheme and host are case-insensitive; path and query are not.
    host: match[2].toLowerCase(),
    port: match[3] ?? '',
    rest: withoutTrailingSlash(match[4] ?? ''),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * Compiles `pattern` (which must contain `*`) into a predicate on `iss` values. An invalid pattern throws
 * `configInvalid(path, why)`.
 *
 * `*` stands for one or more host-name characters (letters, digits, `-`, `.`), so `*.example.com` also
 * matches `a.b.example.com`, but it can never produce `/`, `:` or `@`. The last two labels of the host
 * must be literal: `https://*.com` or `https://idp.*` would trust a whole top-level domain.
 */
export function compileIssuerPattern(pattern: string, path: string): (iss: string) => boolean {
  const parts = split(pattern, PATTERN_SHAPE);
  if (parts === undefined) {
    throw configInvalid(
      path,
      "not an absolute http(s) URL whose host name alone holds '*' (no userinfo, fragment or IP literal)",
    );
  }
  if (parts.rest.includes('*')) throw configInvalid(path, "'*' is allowed only in the host");
  const labels = parts.host.split('.');
  if (labels.some((label) => !PATTERN_LABEL.test(label))) {
    throw configInvalid(path, `host "${parts.host}" is not a host name`);
  }
  if (labels.length < 3 || labels.slice(-2).some((label) => label.includes('*'))) {
    throw configInvalid(path, "'*' may not stand in the last two labels of the host (too broad)");
  }
  if (parts.port !== '' && !(Number(parts.port) >= 1 && Number(parts.port) <= 65535)) {
    throw configInvalid(path, `port ${parts.port} is out of range`);
  }
  const host = new RegExp(`^${parts.host.split('*').map(escapeRegExp).join('[a-z0-9.-]+')}$`);
  return (iss) => {
    const candidate = split(iss, ISSUER_SHAPE);
    return (
      candidate !== undefined &&
      candidate.scheme === parts.scheme &&
      candidate.port === parts.port &&
      candidate.rest === parts.rest &&
      candidate.host.split('.').every((label) => LABEL.test(label)) &&
      host.test(candidate.host)
    );
  };
}

/**
 * Checks a pattern-free trusted issuer URL (an exact entry): an absolute http(s) URL without userinfo or
 * fragment. Throws `configInvalid(path, why)` otherwise.
 */
export function checkIssuerUrl(url: string, path: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configInvalid(path, 'not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw configInvalid(path, 'the scheme must be http or https');
  }
  if (!/^https?:\/\//i.test(url)) throw configInvalid(path, "an absolute URL needs '//' after the scheme");
  if (parsed.username !== '' || parsed.password !== '') throw configInvalid(path, 'userinfo is not allowed');
  if (url.includes('#')) throw configInvalid(path, 'a fragment is not allowed');
}

/**
 * @module idp/console/paths
 * Where the management console of each tenant lives, in the WSO2 layout the IdP's `standard` profile uses
 * for its endpoints: `/console/…` for the default tenant, `/t/<tenant>/console/…` for the others. Each
 * tenant's console is a separate site as far as the browser goes: its session cookie is scoped to its own
 * path, so signing in to one tenant's console signs in to that one only.
 *
 * Like `tenants/profiles`, matching works on raw path segments: dot segments and empty segments match
 * nothing (`/t/../console` must not become `/console`). The segments after the console base are
 * percent-decoded one by one, because client ids may contain `/` and other reserved characters
 * (RFC 6749 Appendix A.1 allows any visible ASCII); a segment that does not decode matches nothing.
 */
import { DEFAULT_TENANT } from '../model.ts';
import { isTenantId } from '../tenants/tenant-id.ts';

export interface ConsolePath {
  tenant: string;
  /** The console's base path for this tenant, without a trailing slash (also the cookie path). */
  base: string;
  /** Decoded segments after the base: `[]` for the home page, `['applications', 'my-app']`, … */
  rest: string[];
}

/** The console base path of `tenant`: `/console` or `/t/<tenant>/console`. */
export function consoleBase(tenant: string): string {
  return tenant === DEFAULT_TENANT ? '/console' : `/t/${tenant}/console`;
}

/** A path below the console of `tenant`; each part is a segment, percent-encoded here. */
export function consoleHref(tenant: string, ...parts: string[]): string {
  return [consoleBase(tenant), ...parts.map((part) => encodeURIComponent(part))].join('/');
}

function decodeSegments(segments: string[]): string[] | undefined {
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** The console path of a raw request path (no query), or undefined when it is not one. */
export function matchConsolePath(path: string): ConsolePath | undefined {
  // Every console path has a `console` segment: most requests (the protocol endpoints) end here, unsplit.
  if (!path.includes('/console')) return undefined;
  const segments = path.split('/');
  if (segments[0] !== '') return undefined;
  // `/console/` (trailing slash) is the home page; any other empty or dot segment matches nothing.
  const inner = segments.at(-1) === '' && segments.length > 2 ? segments.slice(1, -1) : segments.slice(1);
  if (inner.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  let tenant: string;
  let restStart: number;
  if (inner[0] === 'console') {
    tenant = DEFAULT_TENANT;
    restStart = 1;
  } else if (inner[0] === 't' && inner[2] === 'console' && isTenantId(inner[1] ?? '')) {
    tenant = inner[1];
    // The default tenant has one console URL only, so its session cookie path is unambiguous.
    if (tenant === DEFAULT_TENANT) return undefined;
    restStart = 3;
  } else {
    return undefined;
  }
  const rest = decodeSegments(inner.slice(restStart));
  return rest && { tenant, base: consoleBase(tenant), rest };
}

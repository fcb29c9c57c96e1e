/**
 * @module idp/events/stream-route
 * Where the revocation event stream of each issuer lives: `<issuer>/events/revocations`, under every path
 * profile the IdP serves (`idp/tenants/profiles`): `/events/revocations` for the default tenant's root
 * issuer, `/t/<tenant>/events/revocations` (standard), `/realms/<realm>/events/revocations` (keycloak).
 * As for the protocol endpoints, raw path segments are matched, never a normalized URL, and a tenant
 * segment that is not a tenant id matches nothing.
 */
import { REVOCATION_EVENTS_PATH } from '../../events/stream-protocol.ts';
import { DEFAULT_TENANT } from '../model.ts';
import { issuerPathOf, type Profile } from '../tenants/profiles.ts';
import { isTenantId } from '../tenants/tenant-id.ts';

export interface StreamRoute {
  profile: Profile;
  tenant: string;
  /** Path of the issuer below the base URL (`''`, `/t/<tenant>`, `/realms/<realm>`). */
  issuerPath: string;
}

/** The stream a raw request path (no query) addresses among the enabled `profiles`, if any. */
export function matchStreamRoute(path: string, profiles: readonly Profile[]): StreamRoute | undefined {
  if (!path.endsWith(REVOCATION_EVENTS_PATH)) return undefined;
  const issuerPath = path.slice(0, -REVOCATION_EVENTS_PATH.length);
  const segments = issuerPath.split('/');
  // '' (the root issuer) or exactly `/<prefix>/<tenant>`, no empty or dot segments (RFC 3986 §3.3).
  if (
    issuerPath !== '' &&
    (segments.length !== 3 || segments.some((s, i) => i > 0 && (s === '' || s === '.' || s === '..')))
  ) {
    return undefined;
  }
  const tenant = issuerPath === '' ? DEFAULT_TENANT : segments[2];
  if (!isTenantId(tenant)) return undefined;
  const profile = profiles.find((candidate) => issuerPathOf(candidate, tenant) === issuerPath);
  return profile && { profile, tenant, issuerPath };
}

/** The stream URL of `tenant`'s issuer under `profile`, or undefined when that profile has no such issuer. */
export function streamUrl(profile: Profile, base: string, tenant: string): string | undefined {
  const issuerPath = issuerPathOf(profile, tenant);
  return issuerPath === undefined ? undefined : `${base}${issuerPath}${REVOCATION_EVENTS_PATH}`;
}

/** Every issuer of `tenant` under the enabled `profiles` (one per profile that can address it). */
export function tenantIssuers(profiles: readonly Profile[], base: string, tenant: string): string[] {
  const issuers = new Set<string>();
  for (const profile of profiles) {
    const issuerPath = issuerPathOf(profile, tenant);
    if (issuerPath !== undefined) issuers.add(`${base}${issuerPath}`);
  }
  return [...issuers];
}

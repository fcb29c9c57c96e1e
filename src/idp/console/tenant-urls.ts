/**
 * @module idp/console/tenant-urls
 * A tenant's issuer identifiers and endpoint URLs as the console shows and checks them, from the path
 * layouts the IdP serves (`tenants/profiles`): one issuer per enabled profile that can address the tenant
 * (the `authkit` layout has the default tenant only).
 */
import type { IdpConfig } from '../config/schema.ts';
import {
  claimStyleOf,
  endpointUrls,
  issuerPathOf,
  type Profile,
  type ProtocolEndpoint,
} from '../tenants/profiles.ts';
import type { Realm } from '../tokens/types.ts';

/** The enabled profiles that can address `tenant`, in configured order. */
function profilesOf(config: IdpConfig, tenant: string): Profile[] {
  return config.profiles.filter((profile) => issuerPathOf(profile, tenant) !== undefined);
}

/** Every issuer identifier of `tenant` (RFC 8414 §2), one per profile that addresses it. */
export function tenantIssuers(config: IdpConfig, base: string, tenant: string): string[] {
  return profilesOf(config, tenant).map((profile) => `${base}${issuerPathOf(profile, tenant)}`);
}

/** The endpoint URLs of `tenant` under the first profile that addresses it. */
export function tenantEndpoints(
  config: IdpConfig,
  base: string,
  tenant: string,
): Partial<Record<ProtocolEndpoint, string>> {
  const [profile] = profilesOf(config, tenant);
  return profile ? endpointUrls(profile, base, tenant) : {};
}

/** The realm of `tenant` under the first profile that addresses it (the introspection endpoint's view). */
export function tenantRealm(config: IdpConfig, base: string, tenant: string): Realm {
  const profile = profilesOf(config, tenant)[0] ?? config.profiles[0];
  return {
    tenant,
    issuer: `${base}${issuerPathOf(profile, tenant) ?? ''}`,
    claimStyle: claimStyleOf(profile),
  };
}

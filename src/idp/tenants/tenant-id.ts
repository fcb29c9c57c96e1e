/**
 * @module idp/tenants/tenant-id
 * What a tenant (realm) id may look like. Ids appear in URL paths (`/t/{tenant}/…`, `/realms/{realm}/…`),
 * in issuer identifiers and in file-backed stores, so the alphabet is small: lower-case letters, digits,
 * `.`, `_` and `-`, starting with a letter or digit (WSO2 tenant domains such as `foo.com` fit). A leading
 * `.` is impossible, so `.` and `..` path segments can never name a tenant.
 */

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

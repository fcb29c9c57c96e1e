/**
 * @module claims/principal
 * Builds the normalized `Principal` from raw claims, and applies go-authkit's scope filter.
 *
 * Claims come from an IdP we trust for identity, not for shape: every member is checked for the type the
 * spec gives it, and anything else is dropped rather than coerced, so that authorizers can compare with
 * `===` and never meet a number where a role name belongs.
 */
import type {
  AccessPolicy,
  Claims,
  Permission,
  Principal,
  ScopeFilter,
  VerificationMethod,
} from './types.ts';

const EMPTY_SET: ReadonlySet<string> = new Set();
const EMPTY_MAP: ReadonlyMap<string, ReadonlySet<string>> = new Map();

const POLICY_MEMBERS = ['tid', 'tuid', 'rs', 'rn', 'rp', 'role'] as const;
const PERMISSION_STRING_MEMBERS = ['resource_id', 'resource_name', 'rsid', 'rsname'] as const;

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The non-empty strings of an array; anything that is not an array yields nothing. */
function stringArray(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string' && item !== '')
    : [];
}

/** OAuth scope: a space-delimited string (RFC 6749 §3.3) or, as several IdPs send it, an array. */
function scopeList(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : stringArray(value);
}

/** `aud` is one string or an array of strings (RFC 7519 §4.1.3); a string is never split. */
function audienceList(value: unknown): string[] {
  return typeof value === 'string' ? (value === '' ? [] : [value]) : stringArray(value);
}

/** Copies the string members of a go-authkit access policy; others (numbers, objects) are dropped. */
function toPolicy(entry: Record<string, unknown>): AccessPolicy {
  const policy: AccessPolicy = {};
  for (const member of POLICY_MEMBERS) {
    const value = entry[member];
    if (typeof value === 'string') policy[member] = value;
  }
  return policy;
}

/** Keeps unknown members of a Keycloak permission as they are, but types the ones authorizers read. */
function toPermission(entry: Record<string, unknown>): Permission {
  const permission: Permission = { ...entry };
  for (const member of PERMISSION_STRING_MEMBERS) {
    if (member in permission && typeof permission[member] !== 'string') delete permission[member];
  }
  if ('scopes' in permission) permission.scopes = stringArray(entry.scopes);
  return permission;
}

/** Keeps the policies whose resource namespace is in the filter (exact match, as go-authkit). */
export function applyScopeFilter(claims: Claims, filter: ScopeFilter): Claims {
  if (filter.length === 0 || !Array.isArray(claims.scope)) return claims;
  const namespaces = new Set(filter.map((entry) => entry.rn));
  // Only policy objects are filtered: string entries are OAuth scopes, which have no namespace.
  const kept = (claims.scope as unknown[]).filter(
    (entry) => !isObject(entry) || (typeof entry.rn === 'string' && namespaces.has(entry.rn)),
  );
  return kept.length === claims.scope.length ? claims : { ...claims, scope: kept as AccessPolicy[] };
}

/** Normalizes raw claims into a `Principal`. Never throws: unknown shapes are ignored, not trusted. */
export function buildPrincipal(claims: Claims, method: VerificationMethod): Principal {
  // A caller bug (or a JSON `null` answer) must not turn into a TypeError on the request path.
  const raw: Claims = isObject(claims) ? claims : {};

  const scopeStrings: string[] = [];
  const accessPolicies: AccessPolicy[] = [];
  if (Array.isArray(raw.scope)) {
    // go-authkit puts policy objects in `scope`; other IdPs put scope strings; some mix both.
    for (const entry of raw.scope as unknown[]) {
      if (typeof entry === 'string') {
        if (entry !== '') scopeStrings.push(entry);
      } else if (isObject(entry)) {
        accessPolicies.push(toPolicy(entry));
      }
    }
  } else {
    scopeStrings.push(...scopeList(raw.scope));
  }
  scopeStrings.push(...scopeList(raw.scp));

  const realmAccess = raw.realm_access;
  const realmRoles = isObject(realmAccess) ? stringArray(realmAccess.roles) : [];
  const resourceRoles = new Map<string, ReadonlySet<string>>();
  if (isObject(raw.resource_access)) {
    for (const [client, access] of Object.entries(raw.resource_access)) {
      const roles = isObject(access) ? stringArray(access.roles) : [];
      if (roles.length) resourceRoles.set(client, new Set(roles));
    }
  }
  const permissions = Array.isArray(raw.permissions)
    ? (raw.permissions as unknown[]).filter(isObject).map(toPermission)
    : [];

  return {
    method,
    claims: raw,
    subject: stringOrUndefined(raw.sub),
    issuer: stringOrUndefined(raw.iss),
    clientId: stringOrUndefined(raw.client_id) ?? stringOrUndefined(raw.azp),
    username: stringOrUndefined(raw.username) ?? stringOrUndefined(raw.preferred_username),
    audience: audienceList(raw.aud),
    expiresAt: typeof raw.exp === 'number' && Number.isFinite(raw.exp) ? raw.exp : undefined,
    scopes: scopeStrings.length ? new Set(scopeStrings) : EMPTY_SET,
    accessPolicies,
    realmRoles: realmRoles.length ? new Set(realmRoles) : EMPTY_SET,
    resourceRoles: resourceRoles.size ? resourceRoles : EMPTY_MAP,
    permissions,
  };
}

/**
 * @module claims/principal
 * Builds the normalized `Principal` from raw claims, and applies go-authkit's scope filter.
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

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asStringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function isPolicy(value: unknown): value is AccessPolicy {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps the policies whose resource namespace is in the filter (exact match, as go-authkit). */
export function applyScopeFilter(claims: Claims, filter: ScopeFilter): Claims {
  if (filter.length === 0 || !Array.isArray(claims.scope)) return claims;
  const namespaces = new Set(filter.map((entry) => entry.rn));
  const kept = (claims.scope as unknown[]).filter(
    (entry) => !isPolicy(entry) || (typeof entry.rn === 'string' && namespaces.has(entry.rn)),
  );
  return kept.length === claims.scope.length ? claims : { ...claims, scope: kept as AccessPolicy[] };
}

/** Normalizes raw claims into a `Principal`. Never throws: unknown shapes are ignored, not trusted. */
export function buildPrincipal(claims: Claims, method: VerificationMethod): Principal {
  const scopeStrings: string[] = [];
  const accessPolicies: AccessPolicy[] = [];
  if (Array.isArray(claims.scope)) {
    for (const entry of claims.scope as unknown[]) {
      if (typeof entry === 'string') scopeStrings.push(entry);
      else if (isPolicy(entry)) accessPolicies.push(entry);
    }
  } else {
    scopeStrings.push(...asStringList(claims.scope));
  }
  scopeStrings.push(...asStringList(claims.scp));

  const realmRoles = asStringList(claims.realm_access?.roles);
  const resourceRoles = new Map<string, ReadonlySet<string>>();
  if (claims.resource_access && typeof claims.resource_access === 'object') {
    for (const [client, access] of Object.entries(claims.resource_access)) {
      const roles = asStringList(access?.roles);
      if (roles.length) resourceRoles.set(client, new Set(roles));
    }
  }
  const permissions = Array.isArray(claims.permissions)
    ? (claims.permissions as unknown[]).filter((entry): entry is Permission => isPolicy(entry))
    : [];

  return {
    method,
    claims,
    subject: stringOrUndefined(claims.sub),
    issuer: stringOrUndefined(claims.iss),
    clientId: stringOrUndefined(claims.client_id) ?? stringOrUndefined(claims.azp),
    username: stringOrUndefined(claims.username) ?? stringOrUndefined(claims.preferred_username),
    audience: asStringList(claims.aud),
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    scopes: scopeStrings.length ? new Set(scopeStrings) : EMPTY_SET,
    accessPolicies,
    realmRoles: realmRoles.length ? new Set(realmRoles) : EMPTY_SET,
    resourceRoles: resourceRoles.size ? resourceRoles : EMPTY_MAP,
    permissions,
  };
}

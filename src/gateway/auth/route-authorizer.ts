/**
 * @module gateway/auth/route-authorizer
 * A route's checks as one authorizer, built from its `auth` keys with the library's helpers and run on
 * every request, cache hit or not (the answer is cached, never the decision: Oathkeeper CVE-2021-32701).
 * The cheap checks come first: issuers, audiences, scopes, roles, claim values, then the claim rule.
 * A helper's complaint about its arguments is re-thrown under the route's key path.
 */
import {
  allOf,
  anyOf,
  compileRule,
  type RoleRequirement,
  requireAudience,
  requireClaimValues,
  requireIssuer,
  requireRole,
  requireScopes,
} from '../../authz/index.ts';
import type { Authorizer } from '../../authz/types.ts';
import { configInvalid, isTokenguardError } from '../../errors/tokenguard-error.ts';
import type { RouteAuthConfig } from '../config/schema.ts';

/** Runs a builder; a `configInvalid` it throws is re-thrown with `path` as its key. */
function built(path: string, build: () => Authorizer): Authorizer {
  try {
    return build();
  } catch (error) {
    if (!isTokenguardError(error) || error.code !== 'configInvalid') throw error;
    if (error.path?.startsWith(path)) throw error;
    const detail = error.detail?.startsWith(`${error.path}: `)
      ? error.detail.slice(`${error.path}: `.length)
      : (error.detail ?? error.message);
    throw configInvalid(path, detail);
  }
}

/** Kong `scopes_required`: items OR, the space-separated scopes of an item AND. */
function scopesAuthorizer(items: readonly string[]): Authorizer {
  const alternatives = items.map((item) => requireScopes(item.split(' ')));
  return alternatives.length === 1 ? alternatives[0] : anyOf(...alternatives);
}

/** `my_service/admin` → namespace and role; `admin` → a role without namespace (realm role). */
function roleRequirement(entry: string | RoleRequirement): RoleRequirement {
  if (typeof entry !== 'string') return entry;
  const slash = entry.lastIndexOf('/');
  return slash <= 0 ? { role: entry } : { namespace: entry.slice(0, slash), role: entry.slice(slash + 1) };
}

/**
 * The authorizer of a route's `auth` section, or undefined when it requires nothing beyond a valid token.
 * `path` is the section's key (`gateway.routes[2].auth`).
 */
export function buildRouteAuthorizer(auth: RouteAuthConfig, path: string): Authorizer | undefined {
  const checks: Authorizer[] = [];
  if (auth.issuers.length) checks.push(built(`${path}.issuers`, () => requireIssuer(auth.issuers)));
  if (auth.audiences.values.length) {
    checks.push(
      built(`${path}.audiences`, () =>
        requireAudience(auth.audiences.values, { match: auth.audiences.match }),
      ),
    );
  }
  if (auth.scopes.length) checks.push(built(`${path}.scopes`, () => scopesAuthorizer(auth.scopes)));
  if (auth.roles.length) {
    checks.push(built(`${path}.roles`, () => requireRole(...auth.roles.map(roleRequirement))));
  }
  for (const [claim, required] of Object.entries(auth.claimValues)) {
    checks.push(built(`${path}.claimValues.${claim}`, () => requireClaimValues(claim, required)));
  }
  if (auth.claims) checks.push(built(`${path}.claims`, () => compileRule(auth.claims, `${path}.claims`)));
  if (checks.length === 0) return undefined;
  return checks.length === 1 ? checks[0] : allOf(...checks);
}

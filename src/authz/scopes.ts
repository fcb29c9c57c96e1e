/**
 * @module authz/scopes
 * Authorization by OAuth scope (RFC 6749 §3.3): all of the listed scopes (AND, the default) or any of
 * them (OR), as Kong's `scopes_required` semantics. A failure carries the scopes for the RFC 6750 §3.1
 * `insufficient_scope` challenge.
 */
import type { Principal } from '../claims/types.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { nonEmptyList } from './arguments.ts';
import type { Authorizer } from './types.ts';

export interface RequireScopesOptions {
  /** `all`: every scope is required (AND). `any`: one of them suffices (OR). Default `all`. */
  mode?: 'all' | 'any';
}

const PATH = 'requireScopes';

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`; a space would never match a split scope. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Requires OAuth scopes of the principal (`scope` / `scp` claims).
 *
 * @example
 * requireScopes(['read', 'write']); // both
 * requireScopes(['read', 'admin'], { mode: 'any' }); // either
 */
export function requireScopes(scopes: readonly string[], options: RequireScopesOptions = {}): Authorizer {
  const mode = options.mode ?? 'all';
  if (mode !== 'all' && mode !== 'any')
    throw configInvalid(PATH, `mode must be 'all' or 'any', got '${mode}'`);
  for (const scope of nonEmptyList(scopes, PATH, 'scopes')) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw configInvalid(PATH, `invalid scope ${JSON.stringify(scope)} (RFC 6749 §3.3 scope-token)`);
    }
  }
  const required = [...new Set(scopes)];
  const description = `requireScopes(${required.join(mode === 'all' ? ' AND ' : ' OR ')})`;

  const check =
    mode === 'all'
      ? (principal: Principal) => required.every((scope) => principal.scopes.has(scope))
      : (principal: Principal) => required.some((scope) => principal.scopes.has(scope));
  return { description, requiredScopes: required, check };
}

/**
 * @module authz/types
 * Authorization contract: an `Authorizer` decides from a `Principal` alone. Authorizers are built once
 * (rules are compiled at start-up) and run on every request, cache hit or not.
 */
import type { Principal } from '../claims/types.ts';

export interface Authorizer {
  /** Human description, for logs (`requireScopes(read AND write)`). */
  readonly description: string;
  /** Scopes this check requires, for the `insufficient_scope` challenge (RFC 6750 §3.1). */
  readonly requiredScopes?: readonly string[];
  check(principal: Principal): boolean;
}

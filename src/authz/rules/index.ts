/**
 * @module authz/rules
 * Claim rules: Traefik Hub-style boolean expressions over the token's raw claims, for what scopes and
 * roles cannot say (`Equals("address.country", "DE") && SplitContains("scope", " ", "write")`).
 * A rule is parsed and compiled once, when the authorizer is built; a bad rule fails start-up.
 */
import type { Authorizer } from '../types.ts';
import { compileNode } from './compile.ts';
import { parseRule } from './parser.ts';

export type { AndNode, CallNode, FunctionName, NotNode, OrNode, RuleNode, Scalar } from './ast.ts';
export type { ClaimsPredicate } from './compile.ts';
export { MAX_RULE_DEPTH, MAX_RULE_LENGTH, parseRule } from './parser.ts';

/**
 * Compiles a claim rule into an authorizer over `principal.claims` (after the scope filter).
 *
 * @param source the rule, e.g. `OneOf("realm_access.roles", "admin", "ops") && !Equals("banned", true)`
 * @param path the config key the rule came from, named in a `configInvalid` error (default `rule`)
 * @throws TokenguardError `configInvalid` when the rule does not parse, with position and expectation
 */
export function compileRule(source: string, path = 'rule'): Authorizer {
  const predicate = compileNode(parseRule(source, path));
  return {
    description: `rule(${source})`,
    check: (principal) => predicate(principal.claims),
  };
}

/** Alias of `compileRule`, named like the other authorizer helpers. */
export const requireRule = compileRule;

/**
 * @module authz
 * Authorization: decide from a verified `Principal` whether a request may proceed. Every helper checks
 * its arguments when called (at start-up) and returns an `Authorizer` that runs on every request.
 */
export { type RequireAudienceOptions, requireAudience } from './audience.ts';
export { requireClaimValues } from './claim-values.ts';
export { allOf, anyOf, not } from './combinators.ts';
export { requireIssuer } from './issuer.ts';
export { type PermissionRequirement, requirePermission } from './permissions.ts';
export { type RoleRequirement, requireRole, requireRoleIn } from './roles.ts';
export {
  type ClaimsPredicate,
  compileRule,
  MAX_RULE_DEPTH,
  MAX_RULE_LENGTH,
  parseRule,
  type RuleNode,
  requireRule,
} from './rules/index.ts';
export { type RequireScopesOptions, requireScopes } from './scopes.ts';
export type { Authorizer } from './types.ts';

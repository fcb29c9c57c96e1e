/**
 * @module authz/roles
 * Authorization by role, with go-authkit's `NewVerifyAccessByRolesInJWT` semantics: the principal passes
 * if it holds ANY of the listed roles. A role is held through
 * - a go-authkit access policy `{rn, role}` of the `scope` claim (seed 000), or
 * - a Keycloak client role, `resource_access[namespace].roles`, or
 * - a Keycloak realm role, `realm_access.roles`, for a role listed without a namespace.
 */
import type { Principal } from '../claims/types.ts';
import { nonEmptyList, nonEmptyString, optionalNonEmptyString } from './arguments.ts';
import type { Authorizer } from './types.ts';

/** One acceptable role: go-authkit's `Role{Namespace, Name}`. */
export interface RoleRequirement {
  /** go-authkit resource namespace (`rn`) or Keycloak client id; absent for a realm role. */
  namespace?: string;
  role: string;
}

const PATH = 'requireRole';

function holds(principal: Principal, namespace: string | undefined, role: string): boolean {
  // go-authkit compares Go strings, where an absent `rn` is "": a role listed without a namespace also
  // matches a policy without one, as it does there.
  const rn = namespace ?? '';
  for (const policy of principal.accessPolicies) {
    if (policy.role === role && (policy.rn ?? '') === rn) return true;
  }
  if (namespace === undefined) return principal.realmRoles.has(role);
  return principal.resourceRoles.get(namespace)?.has(role) === true;
}

/**
 * Passes if the principal holds any of the roles (OR).
 *
 * @example
 * requireRole({ namespace: 'my_service', role: 'admin' }); // seed 000
 * requireRole({ role: 'offline_access' }); // a Keycloak realm role
 */
export function requireRole(...roles: RoleRequirement[]): Authorizer {
  const wanted = nonEmptyList(roles, PATH, 'roles').map((entry, index) => {
    const requirement: Partial<RoleRequirement> = typeof entry === 'object' && entry !== null ? entry : {};
    return {
      namespace: optionalNonEmptyString(requirement.namespace, PATH, `roles[${index}].namespace`),
      role: nonEmptyString(requirement.role, PATH, `roles[${index}].role`),
    };
  });
  const names = wanted.map(({ namespace, role }) =>
    namespace === undefined ? role : `${namespace}/${role}`,
  );
  return {
    description: `requireRole(${names.join(' OR ')})`,
    check: (principal) => wanted.some(({ namespace, role }) => holds(principal, namespace, role)),
  };
}

/**
 * Binds a namespace once, as go-authkit's `NewVerifyAccessByRolesInJWTMaker`.
 *
 * @example
 * const myService = requireRoleIn('my_service');
 * myService('admin', 'editor');
 */
export function requireRoleIn(namespace: string): (...roleNames: string[]) => Authorizer {
  const checked = nonEmptyString(namespace, 'requireRoleIn', 'namespace');
  return (...roleNames) => requireRole(...roleNames.map((role) => ({ namespace: checked, role })));
}

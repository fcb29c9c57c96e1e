/**
 * @module authz/permissions
 * Authorization by Keycloak UMA permission (seed 001): the `permissions` of a requesting party token
 * (RPT). Introspection answers name the resource `resource_id` / `resource_name`; the RPT as a JWT names
 * it `rsid` / `rsname`. Either name, or either id, identifies it.
 */
import type { Permission } from '../claims/types.ts';
import { nonEmptyString, optionalNonEmptyString } from './arguments.ts';
import type { Authorizer } from './types.ts';

export interface PermissionRequirement {
  /** The resource's name or id. */
  resource: string;
  /** A scope the permission must grant on the resource (Keycloak authorization scope), if any. */
  scope?: string;
}

const PATH = 'requirePermission';

function namesResource(permission: Permission, resource: string): boolean {
  return (
    permission.resource_name === resource ||
    permission.rsname === resource ||
    permission.resource_id === resource ||
    permission.rsid === resource
  );
}

/**
 * Passes if one permission of the RPT is for `resource` and, when `scope` is given, grants that scope.
 *
 * @example
 * requirePermission({ resource: 'Hello World Resource' });
 * requirePermission({ resource: 'album', scope: 'album:view' });
 */
export function requirePermission(requirement: PermissionRequirement): Authorizer {
  const given: Partial<PermissionRequirement> =
    typeof requirement === 'object' && requirement !== null ? requirement : {};
  const resource = nonEmptyString(given.resource, PATH, 'resource');
  const scope = optionalNonEmptyString(given.scope, PATH, 'scope');
  const grants =
    scope === undefined
      ? (permission: Permission) => namesResource(permission, resource)
      : (permission: Permission) =>
          namesResource(permission, resource) && permission.scopes?.includes(scope) === true;
  return {
    description: `requirePermission(${resource}${scope === undefined ? '' : `#${scope}`})`,
    check: (principal) => principal.permissions.some(grants),
  };
}

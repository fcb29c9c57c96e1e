/**
 * @module idp/tokens/caller-policy
 * Which authenticated callers may learn about which tokens. RFC 7662 §4: the endpoint SHOULD require callers
 * to be specifically authorized; §2.2: a caller not allowed to introspect a token gets `{active:false}`,
 * exactly as if the token did not exist.
 *
 * The default policy is Keycloak 26.6's (a client may introspect tokens issued to it or naming it in `aud`),
 * plus explicit grants (`canIntrospect`, a configured static token), plus WSO2's tenant isolation: callers of
 * another tenant only when the token's tenant allows cross-tenant introspection. A deployment may narrow it
 * further with an `IntrospectionPolicy` hook, which runs after the default and can only veto.
 */
import type { StoredToken } from '../model.ts';
import { isCurrent } from './token-state.ts';
import type { Caller, Realm } from './types.ts';

/** A deployment's extra check; `false` vetoes. */
export type IntrospectionPolicy = (
  caller: Caller,
  token: StoredToken,
  realm: Realm,
) => boolean | Promise<boolean>;

/** The tenant a caller was authenticated in. */
export function callerTenant(caller: Caller): string {
  switch (caller.kind) {
    case 'client':
      return caller.client.tenant;
    case 'user':
      return caller.user.tenant;
    case 'bearer':
      return caller.token.tenant;
    case 'static':
      return caller.tenant;
  }
}

/**
 * The default decision. `crossTenantAllowed`: the token's tenant lets other tenants' callers introspect
 * (only read when the caller is of another tenant).
 */
export function mayIntrospect(
  caller: Caller,
  token: StoredToken,
  crossTenantAllowed: boolean,
  now: number,
): boolean {
  const sameTenant = callerTenant(caller) === token.tenant;
  if (!sameTenant && !crossTenantAllowed) return false;
  switch (caller.kind) {
    case 'static':
      return true;
    case 'user':
      // WSO2: a user with the introspection permission, by HTTP Basic.
      return caller.user.canIntrospect && !caller.user.disabled;
    case 'bearer':
      // RFC 7662 §2.1: an access token as the caller's credential; it speaks for its client.
      return (
        caller.token.kind === 'access' &&
        isCurrent(caller.token, now) &&
        caller.client !== undefined &&
        !caller.client.disabled &&
        caller.client.canIntrospect
      );
    case 'client': {
      const { client } = caller;
      if (client.disabled) return false;
      const own = sameTenant && token.clientId === client.clientId;
      // Checklist row 4: an unauthenticated (`none`) client may only look at its own tokens.
      if (caller.method === 'none') return own;
      if (own || client.canIntrospect) return true;
      // Keycloak 26.6: the caller is a resource server the token was issued for. `aud` holds client ids of
      // the token's tenant, so it only names callers of that tenant.
      return sameTenant && token.audience.includes(client.clientId);
    }
  }
}

/**
 * @module idp/tokens/claim-layout
 * Where a token's authorization data goes, for JWT payloads and introspection answers alike (one rule, so a
 * token and its introspection answer never disagree).
 *
 * Two kinds of authorization data exist: OAuth scopes (RFC 6749 §3.3 strings) and go-authkit access
 * policies (`{tid,tuid,rs,rn,rp,role}` objects, seed 000). Two kinds of resource servers read them, and they
 * disagree about the one claim both use, `scope`:
 *
 * - go-authkit decodes `scope` only as an array of policy objects (jwt/claims_scope.go `decodeScope`: the
 *   registered decoders, then `json.Unmarshal` into `[]AccessPolicy`). A string `scope` fails to decode and
 *   the whole token is rejected, not merely unauthorized.
 * - RFC 9068 §2.2.3 says `scope` SHOULD be present, as RFC 8693 §4.2's space-delimited string, when scopes
 *   were requested; RFC 7662 §2.2 gives introspection answers the same string. RFC 9068 validators check the
 *   signature, `typ`, `iss`, `aud`, `exp` and the presence of the required claims, but not authorization
 *   claims (oauth4webapi `validateJwtAccessToken`: "does NOT validate authorization claims such as scope").
 *
 * Decision:
 * - `authkit` style: `scope` is the policy array, present only when there are policies; OAuth scopes are
 *   not written (the exact seed 000 shape: `iss, sub, exp, jti [, scope]`).
 * - `rfc9068` style: when the subject has access policies, `scope` is the policy array and the OAuth scopes
 *   go in `scp` (the space-delimited string Azure AD and Spring Security use, and that tokenguard's own
 *   `buildPrincipal` reads); otherwise `scope` is the RFC 9068 / RFC 7662 string.
 *
 * Why: both validators accept a policy-array `scope` (go-authkit decodes it, an RFC 9068 validator ignores
 * its type), so a subject configured with policies (configured only for go-authkit resource servers) gets
 * tokens both accept. A token with OAuth scopes and no policies gets the RFC's string: no layout lets go-authkit
 * accept a token that carries OAuth scopes in `scope`, and taking them out of `scope` for every token would
 * break the RFC 9068 §2.2.3 SHOULD, and the scope checks of every standard resource server, for all tokens, to
 * serve a resource server that has no use for OAuth scopes. Policies are never put under RFC 9068's `roles`:
 * go-authkit would not see them, so admin2-style authorization would silently fail.
 */
import type { AccessPolicy } from '../model.ts';
import type { Realm } from './types.ts';

export type ClaimStyle = Realm['claimStyle'];

/** The authorization members of a token or answer, in output order. */
export interface AuthorizationClaims {
  scope?: string | AccessPolicy[];
  scp?: string;
}

/** The `scope` / `scp` members for `style`, per the decision above. Empty data yields no member. */
export function authorizationClaims(
  style: ClaimStyle,
  oauthScope: string,
  policies: readonly AccessPolicy[],
): AuthorizationClaims {
  if (policies.length > 0) {
    const claims: AuthorizationClaims = { scope: policies.map((policy) => ({ ...policy })) };
    if (style === 'rfc9068' && oauthScope !== '') claims.scp = oauthScope;
    return claims;
  }
  return style === 'rfc9068' && oauthScope !== '' ? { scope: oauthScope } : {};
}

/** `aud`: one string for one audience (RFC 7519 §4.1.3 allows it; Keycloak answers so, seed 001), else an array. */
export function audienceClaim(audience: readonly string[]): string | string[] | undefined {
  if (audience.length === 0) return undefined;
  return audience.length === 1 ? audience[0] : [...audience];
}

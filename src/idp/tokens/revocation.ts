/**
 * @module idp/tokens/revocation
 * RFC 7009 revocation of a found token: who may revoke it, and what revoking it takes down.
 *
 * Who: §2.1 says the server "verifies whether the token was issued to the client making the revocation
 * request": the owner client. Besides it, only the deployment's own credentials (a static token of the
 * tenant, or an admin user) may revoke; a client with `canIntrospect` may read tokens, not destroy them.
 *
 * A caller that is not allowed gets the same empty success as for an unknown token, and nothing happens.
 * §2.1 lets the server refuse with an error, but an error here would answer "this token exists and is
 * someone else's", a token-validity oracle for anyone holding client credentials (§5, RFC 7662 §4 on token
 * scanning); §2.2 already treats unknown tokens as success for the same reason. The endpoint may log it.
 *
 * What: a refresh token takes its whole grant with it, every access and refresh token of its family
 * (§2.1: SHOULD invalidate access tokens of the same grant); an access token only itself (§2.1: MAY revoke
 * the refresh token; we do not, so a client can drop one token without losing its grant). JWTs are revoked
 * by `jti`, which introspection checks.
 */
import type { RevocationNotifier } from '../events/revocation-events.ts';
import type { StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import type { Caller } from './types.ts';

export function mayRevoke(caller: Caller, token: StoredToken): boolean {
  switch (caller.kind) {
    case 'client':
      return caller.client.tenant === token.tenant && caller.client.clientId === token.clientId;
    case 'static':
      return caller.tenant === token.tenant;
    case 'user':
      return caller.user.admin && !caller.user.disabled && caller.user.tenant === token.tenant;
    case 'bearer':
      // A bearer token is not client authentication (§2.1 requires the client's credentials).
      return false;
  }
}

/** Revokes `token` (a refresh token with its grant); `events` announces it once the store has written it. */
export async function revokeToken(
  store: IdpStore,
  token: StoredToken,
  now: number,
  events?: RevocationNotifier,
): Promise<void> {
  if (token.kind === 'refresh') {
    const family = await events?.familyOf(token, now);
    await store.tokens.revokeFamily(token.tenant, token.familyId, now);
    await events?.familyRevoked(token, family ?? [], now);
  } else {
    await store.tokens.revoke(token.tenant, token.id, now);
    await events?.tokenRevoked(token, now);
  }
}

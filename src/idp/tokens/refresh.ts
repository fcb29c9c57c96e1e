/**
 * @module idp/tokens/refresh
 * The refresh_token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2): each refresh
 * token is exchanged once; presenting one again means two parties hold it, so the whole grant (every token
 * of its family) is revoked and the request fails.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import type { Client, StoredToken, User } from '../model.ts';
import { tokenDigest } from '../secrets.ts';
import type { TokenContext } from './context.ts';
import { issueTokens } from './grant.ts';
import { readClaims } from './stored-claims.ts';
import type { Realm, TokenResponse } from './types.ts';

export interface RedeemedRefreshToken {
  /** The refresh token's record, now consumed. */
  record: StoredToken;
  user?: User;
  /** Scope of the grant, which the new refresh token keeps (RFC 6749 §6). */
  grantScope: string[];
  /** Scope of the new access token: the request's, or the grant's when none was requested. */
  scope: string[];
  notRequiredIntrospection: boolean;
}

const invalidGrant = (description: string) => oauthError('invalid_grant', description);

const splitScope = (scope: string) => scope.split(' ').filter(Boolean);

async function revokeGrant(ctx: TokenContext, record: StoredToken): Promise<never> {
  const family = await ctx.events?.familyOf(record, ctx.now);
  await ctx.store.tokens.revokeFamily(record.tenant, record.familyId, ctx.now);
  await ctx.events?.familyRevoked(record, family ?? [], ctx.now);
  throw invalidGrant('The refresh token was already used; the grant is revoked.');
}

/**
 * Checks and consumes `refreshToken` for the authenticated `client`. Fails with `unauthorized_client`
 * (grant type not allowed), `invalid_grant` (unknown, expired, revoked, another client's, reused) or
 * `invalid_scope` (a scope beyond the grant).
 */
export async function redeemRefreshToken(
  ctx: TokenContext,
  realm: Realm,
  client: Client,
  refreshToken: string,
  requestedScope: readonly string[] | undefined,
): Promise<RedeemedRefreshToken> {
  if (!client.grantTypes.includes('refresh_token')) {
    throw oauthError('unauthorized_client', 'The client may not use the refresh_token grant.');
  }
  const record = await ctx.store.tokens.get(realm.tenant, tokenDigest(refreshToken));
  // RFC 6749 §6: the token must have been issued to the authenticated client. Another client's token is
  // answered like an unknown one, and left alone: that client may be probing, the owner is not at fault.
  // A token of another issuer (profile) of this tenant would give tokens of this issuer: refused too.
  if (record?.kind !== 'refresh' || record.clientId !== client.clientId || record.issuer !== realm.issuer) {
    throw invalidGrant('The refresh token is invalid.');
  }
  if (record.expiresAt <= ctx.now) throw invalidGrant('The refresh token has expired.');
  if (record.consumedAt !== undefined) return revokeGrant(ctx, record);
  if (record.revokedAt !== undefined) throw invalidGrant('The refresh token has been revoked.');

  const claims = readClaims(record);
  let user: User | undefined;
  if (claims.username !== undefined) {
    user = await ctx.store.users.get(record.tenant, claims.username);
    if (!user || user.disabled) throw invalidGrant('The resource owner is no longer valid.');
  }

  // RFC 6749 §6: the requested scope MUST NOT include any scope not originally granted; omitted = the same.
  const grantScope = splitScope(record.scope);
  const granted = new Set(grantScope);
  const scope = requestedScope?.length ? [...requestedScope] : grantScope;
  const beyond = scope.filter((entry) => !granted.has(entry));
  if (beyond.length > 0) {
    throw oauthError('invalid_scope', `Scope beyond the original grant: ${beyond.join(' ')}.`);
  }

  // Checked above already, but two requests can race past that check: the store decides atomically.
  const consumed = await ctx.store.tokens.consume(record.tenant, record.id, ctx.now);
  if (!consumed) throw invalidGrant('The refresh token is invalid.');
  if (consumed.replayed) return revokeGrant(ctx, consumed.token);

  return {
    record: consumed.token,
    user,
    grantScope,
    scope,
    notRequiredIntrospection: claims.notRequiredIntrospection === true,
  };
}

/**
 * Redeems `refreshToken` and issues the rotated tokens in the same family. A replay racing this request can
 * revoke the family between the redemption and the storing of the new tokens, which would leave them alive:
 * so the redeemed token is read again afterwards, and if it has been revoked meanwhile the new tokens are
 * revoked with the family and the request fails like the replay.
 */
export async function refreshGrant(
  ctx: TokenContext,
  realm: Realm,
  client: Client,
  refreshToken: string,
  requestedScope: readonly string[] | undefined,
): Promise<TokenResponse> {
  const redeemed = await redeemRefreshToken(ctx, realm, client, refreshToken, requestedScope);
  const { record } = redeemed;
  const response = await issueTokens(ctx, {
    realm,
    client,
    subject: record.subject,
    user: redeemed.user,
    scope: redeemed.scope,
    audience: record.audience,
    familyId: record.familyId,
    parentId: record.id,
    notRequiredIntrospection: redeemed.notRequiredIntrospection,
    refreshScope: redeemed.grantScope,
  });
  const after = await ctx.store.tokens.get(record.tenant, record.id);
  if (after?.revokedAt !== undefined) return revokeGrant(ctx, record);
  return response;
}

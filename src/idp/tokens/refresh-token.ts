/**
 * @module idp/tokens/refresh-token
 * Minting one refresh token: always opaque (nobody but this IdP ever reads it), 256 random bits stored under
 * their SHA-256 digest. It carries the grant's `familyId` and, after a rotation, the `parentId` of the
 * refresh token it replaced (RFC 9700 §4.14.2), which the reuse detection and the revocation cascade follow.
 */
import { randomUUID } from 'node:crypto';
import type { Client, StoredToken } from '../model.ts';
import { randomToken, tokenDigest } from '../secrets.ts';
import type { MintedToken } from './access-token.ts';
import type { TokenContext } from './context.ts';
import { writeClaims } from './stored-claims.ts';
import type { Realm } from './types.ts';

export interface RefreshTokenGrant {
  realm: Realm;
  client: Client;
  subject: string;
  username?: string;
  /** The scope of the grant (RFC 6749 §6: a rotated refresh token keeps it, even when an access token narrows). */
  scope: readonly string[];
  audience: readonly string[];
  familyId: string;
  parentId?: string;
  notRequiredIntrospection?: boolean;
}

/** Whether `client` gets refresh tokens at all (RFC 6749 §1.5: the grant type must be allowed to it). */
export function issuesRefreshTokens(client: Client): boolean {
  return client.refreshTokenTtl > 0 && client.grantTypes.includes('refresh_token');
}

export async function issueRefreshToken(ctx: TokenContext, grant: RefreshTokenGrant): Promise<MintedToken> {
  const token = randomToken();
  const record: StoredToken = {
    tenant: grant.realm.tenant,
    id: tokenDigest(token),
    kind: 'refresh',
    format: 'opaque',
    clientId: grant.client.clientId,
    subject: grant.subject,
    scope: grant.scope.join(' '),
    audience: [...grant.audience],
    issuer: grant.realm.issuer,
    issuedAt: ctx.now,
    // Sliding lifetime: each rotation starts a new period, so a grant lives while it is used.
    expiresAt: ctx.now + grant.client.refreshTokenTtl,
    familyId: grant.familyId,
    claims: writeClaims({
      jti: randomUUID(),
      claimStyle: grant.realm.claimStyle,
      policies: [],
      username: grant.username,
      notRequiredIntrospection: grant.notRequiredIntrospection,
    }),
  };
  if (grant.parentId !== undefined) record.parentId = grant.parentId;
  await ctx.store.tokens.put(record);
  return { token, record };
}

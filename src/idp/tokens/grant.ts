/**
 * @module idp/tokens/grant
 * Issuing the tokens of one grant (a new one, or a refresh of an existing one): the access token, the refresh
 * token when the client gets one, and the RFC 6749 §5.1 response.
 */
import type { AccessPolicy, Client, User } from '../model.ts';
import { issueAccessToken } from './access-token.ts';
import type { ClaimStyle } from './claim-layout.ts';
import type { TokenContext } from './context.ts';
import { issueRefreshToken, issuesRefreshTokens } from './refresh-token.ts';
import type { Realm, TokenResponse } from './types.ts';

export interface TokenGrant {
  realm: Realm;
  client: Client;
  subject: string;
  user?: User;
  /** Scope of the access token. */
  scope: readonly string[];
  audience: readonly string[];
  familyId: string;
  parentId?: string;
  notRequiredIntrospection?: boolean;
  /** Scope of a refresh token to issue alongside; undefined = none. */
  refreshScope?: readonly string[];
}

/**
 * The `aud` of a token: the requested resources (RFC 8707), else the client's default. RFC 9068 §2.2 makes
 * `aud` required and §3 says a default resource MUST then be used: the issuer, as the model says. go-authkit
 * tokens carry `aud` only when there is one (seed 000's tokens have none).
 */
export function resolveAudience(
  style: ClaimStyle,
  issuer: string,
  client: Client,
  requested: readonly string[] | undefined,
): string[] {
  const audience = requested?.length ? [...requested] : [...client.audience];
  return audience.length === 0 && style === 'rfc9068' ? [issuer] : audience;
}

/** The access policies written into the subject's tokens: the user's for user tokens, else the client's. */
export function subjectPolicies(client: Client, user: User | undefined): AccessPolicy[] {
  return user ? user.policies : client.policies;
}

export async function issueTokens(ctx: TokenContext, grant: TokenGrant): Promise<TokenResponse> {
  const { realm, client, user } = grant;
  const access = await issueAccessToken(ctx, {
    realm,
    client,
    subject: grant.subject,
    username: user?.username,
    scope: grant.scope,
    audience: grant.audience,
    policies: subjectPolicies(client, user),
    familyId: grant.familyId,
    parentId: grant.parentId,
    notRequiredIntrospection: grant.notRequiredIntrospection,
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: client.accessTokenTtl,
  };
  if (grant.refreshScope && issuesRefreshTokens(client)) {
    const refresh = await issueRefreshToken(ctx, {
      realm,
      client,
      subject: grant.subject,
      username: user?.username,
      scope: grant.refreshScope,
      audience: grant.audience,
      familyId: grant.familyId,
      parentId: grant.parentId,
      notRequiredIntrospection: grant.notRequiredIntrospection,
    });
    response.refresh_token = refresh.token;
  }
  // RFC 6749 §5.1: `scope` is OPTIONAL when it equals the request; sent whenever there is one, so a client
  // never has to guess what it got.
  if (access.record.scope !== '') response.scope = access.record.scope;
  return response;
}

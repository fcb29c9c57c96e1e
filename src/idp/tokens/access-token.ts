/**
 * @module idp/tokens/access-token
 * Minting one access token and its stored record, in the client's format:
 *
 * - JWT (RFC 9068): signed with the tenant's active key, header `{alg, kid, typ: "at+jwt"}` (§2.1; plus
 *   go-authkit's `nri: true` when the token needs no introspection). The payload follows the realm's claim
 *   style (see claim-layout). The record's id is the `jti`, so the JWT can still be revoked and introspected
 *   (RFC 7009 §3: self-contained tokens need backend state to be revocable).
 * - Opaque: 256 random bits (`randomToken`), stored under its SHA-256 digest only, so a leaked database
 *   holds no usable token.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AccessPolicy, Client, StoredToken } from '../model.ts';
import { randomToken, tokenDigest } from '../secrets.ts';
import { audienceClaim, authorizationClaims, type ClaimStyle } from './claim-layout.ts';
import type { TokenContext } from './context.ts';
import { writeClaims } from './stored-claims.ts';
import type { Realm } from './types.ts';

export interface AccessTokenGrant {
  realm: Realm;
  client: Client;
  subject: string;
  /** Set when the subject is a user (RFC 7662 §2.2 `username`). */
  username?: string;
  scope: readonly string[];
  /** Already defaulted by the caller (see grant). */
  audience: readonly string[];
  policies: readonly AccessPolicy[];
  familyId: string;
  parentId?: string;
  notRequiredIntrospection?: boolean;
}

export interface MintedToken {
  /** The value handed to the client; never stored. */
  token: string;
  record: StoredToken;
}

interface PayloadFields {
  style: ClaimStyle;
  issuer: string;
  subject: string;
  audience: readonly string[];
  expiresAt: number;
  issuedAt: number;
  jti: string;
  clientId: string;
  scope: string;
  policies: readonly AccessPolicy[];
}

/**
 * The JWT claims, in output order. `authkit`: go-authkit's `DefaultClaims` order (jwt-go's
 * `RegisteredClaims` then `scope`), only the members seed 000's IdP writes. `rfc9068`: the seven claims
 * RFC 9068 §2.2 requires, then the authorization claims.
 */
function jwtPayload(fields: PayloadFields): Record<string, unknown> {
  const authorization = authorizationClaims(fields.style, fields.scope, fields.policies);
  const aud = audienceClaim(fields.audience);
  if (fields.style === 'authkit') {
    return {
      iss: fields.issuer,
      sub: fields.subject,
      ...(aud === undefined ? {} : { aud }),
      exp: fields.expiresAt,
      jti: fields.jti,
      ...authorization,
    };
  }
  return {
    iss: fields.issuer,
    sub: fields.subject,
    aud,
    exp: fields.expiresAt,
    iat: fields.issuedAt,
    jti: fields.jti,
    client_id: fields.clientId,
    ...authorization,
  };
}

/** Mints an access token for `grant`, stores its record and returns both. */
export async function issueAccessToken(ctx: TokenContext, grant: AccessTokenGrant): Promise<MintedToken> {
  const { realm, client } = grant;
  const jti = randomUUID();
  const issuedAt = ctx.now;
  const expiresAt = issuedAt + client.accessTokenTtl;
  const scope = grant.scope.join(' ');

  let token: string;
  if (client.tokenFormat === 'jwt') {
    const key = await ctx.keys.activeKey(realm.tenant);
    const payload = jwtPayload({
      style: realm.claimStyle,
      issuer: realm.issuer,
      subject: grant.subject,
      audience: grant.audience,
      expiresAt,
      issuedAt,
      jti,
      clientId: client.clientId,
      scope,
      policies: grant.policies,
    });
    token = await new SignJWT(payload)
      .setProtectedHeader({
        alg: key.alg,
        kid: key.kid,
        typ: 'at+jwt',
        ...(grant.notRequiredIntrospection ? { nri: true } : {}),
      })
      .sign(key.privateKey);
  } else {
    token = randomToken();
  }

  const record: StoredToken = {
    tenant: realm.tenant,
    id: client.tokenFormat === 'jwt' ? jti : tokenDigest(token),
    kind: 'access',
    format: client.tokenFormat,
    clientId: client.clientId,
    subject: grant.subject,
    scope,
    audience: [...grant.audience],
    issuer: realm.issuer,
    issuedAt,
    expiresAt,
    familyId: grant.familyId,
    claims: writeClaims({
      jti,
      claimStyle: realm.claimStyle,
      policies: grant.policies.map((policy) => ({ ...policy })),
      username: grant.username,
      notRequiredIntrospection: grant.notRequiredIntrospection,
    }),
  };
  if (grant.parentId !== undefined) record.parentId = grant.parentId;
  await ctx.store.tokens.put(record);
  return { token, record };
}

/**
 * @module idp/tokens/stored-claims
 * What the IdP keeps in `StoredToken.claims` beyond the registered members of the record, and reading it
 * back. Records come from a database, so reading checks every member's type instead of trusting a cast.
 */
import type { AccessPolicy, StoredToken } from '../model.ts';
import type { ClaimStyle } from './claim-layout.ts';

export interface TokenClaims {
  /**
   * The token's public identifier: a JWT's `jti` (= the record id), or for opaque tokens a UUID of its own,
   * so an answer's `jti` never repeats the token value (or its digest, the storage key).
   */
  jti: string;
  /** The layout the token was issued with, so its introspection answer matches the token. */
  claimStyle: ClaimStyle;
  /** Access policies written into the token when it was issued (introspection-time ones are added live). */
  policies: AccessPolicy[];
  /** The resource owner's username, for tokens whose subject is a user (RFC 7662 §2.2 `username`). */
  username?: string;
  /** go-authkit `nri` header: the token says it needs no introspection. Carried over on refresh. */
  notRequiredIntrospection?: boolean;
}

export function writeClaims(claims: TokenClaims): Record<string, unknown> {
  const written: Record<string, unknown> = {
    jti: claims.jti,
    claimStyle: claims.claimStyle,
    policies: claims.policies,
  };
  if (claims.username !== undefined) written.username = claims.username;
  if (claims.notRequiredIntrospection) written.notRequiredIntrospection = true;
  return written;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readClaims(record: StoredToken): TokenClaims {
  const raw = isObject(record.claims) ? record.claims : {};
  const claims: TokenClaims = {
    // A record without its own jti (written by something else) falls back to a JWT's id, which is its jti.
    jti: typeof raw.jti === 'string' ? raw.jti : record.format === 'jwt' ? record.id : '',
    claimStyle: raw.claimStyle === 'authkit' ? 'authkit' : 'rfc9068',
    policies: Array.isArray(raw.policies) ? (raw.policies.filter(isObject) as AccessPolicy[]) : [],
  };
  if (typeof raw.username === 'string') claims.username = raw.username;
  if (raw.notRequiredIntrospection === true) claims.notRequiredIntrospection = true;
  return claims;
}

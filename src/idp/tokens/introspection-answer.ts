/**
 * @module idp/tokens/introspection-answer
 * The RFC 7662 §2.2 answer for a token. Inactive: exactly `{"active":false}` (§2.2: SHOULD NOT say more,
 * not even why, nor `exp`). Active, in the token's claim style:
 *
 * - `authkit`: the seed 000 IdP's answer, member for member: `active, iss, sub [, aud], exp, jti [, scope]`
 *   (go-authkit's `IntrospectionResult` field order, which the seed's bytes show).
 * - `rfc9068`: `active, scope [, scp], client_id, username, token_type, exp, iat, sub, aud, iss, jti`,
 *   omitting absent ones (RFC 7662's `nbf` never appears: our tokens are valid from `iat`); `token_type` is the RFC 6749 §7.1 type (`Bearer`), or `refresh_token` for a refresh
 *   token (RFC 7662 leaves refresh tokens' type open; Hydra calls it `token_use`).
 *
 * Either style ends with Keycloak's `permissions` when the caller asked for an RPT (seed 001).
 */
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { AccessPolicy, Permission, StoredToken } from '../model.ts';
import { audienceClaim, authorizationClaims } from './claim-layout.ts';
import type { TokenClaims } from './stored-claims.ts';

export interface AnswerParts {
  /** The token as presented: checked so that no member ever echoes it. */
  token: string;
  record: StoredToken;
  claims: TokenClaims;
  /** The policies to report (already merged and filtered). */
  policies: readonly AccessPolicy[];
  /** RPT permissions, when asked for (`token_type_hint=requesting_party_token`). */
  permissions?: readonly Permission[];
}

/** A fresh `{active:false}`: callers may mutate what they get. */
export function inactiveAnswer(): IntrospectionAnswer {
  return { active: false };
}

/** Assigns a member unless its value is undefined (members are added in answer order, one by one). */
function set(answer: IntrospectionAnswer, name: string, value: unknown): void {
  if (value !== undefined) answer[name] = value;
}

export function activeAnswer({
  token,
  record,
  claims,
  policies,
  permissions,
}: AnswerParts): IntrospectionAnswer {
  const answer: IntrospectionAnswer = { active: true };
  const authorization = authorizationClaims(claims.claimStyle, record.scope, policies);
  // A JWT's record id is its jti. An opaque token's id is its digest and its jti a UUID of its own: the
  // check below only guards against a record written by something else with the token as its jti.
  const id = record.format === 'jwt' ? record.id : claims.jti;
  const jti = id !== '' && id !== token ? id : undefined;
  const aud = audienceClaim(record.audience);

  if (claims.claimStyle === 'authkit') {
    set(answer, 'iss', record.issuer);
    set(answer, 'sub', record.subject);
    set(answer, 'aud', aud);
    set(answer, 'exp', record.expiresAt);
    set(answer, 'jti', jti);
    set(answer, 'scope', authorization.scope);
    set(answer, 'scp', authorization.scp);
  } else {
    set(answer, 'scope', authorization.scope);
    set(answer, 'scp', authorization.scp);
    set(answer, 'client_id', record.clientId);
    set(answer, 'username', claims.username);
    set(answer, 'token_type', record.kind === 'refresh' ? 'refresh_token' : 'Bearer');
    set(answer, 'exp', record.expiresAt);
    set(answer, 'iat', record.issuedAt);
    set(answer, 'sub', record.subject);
    set(answer, 'aud', aud);
    set(answer, 'iss', record.issuer);
    set(answer, 'jti', jti);
  }
  if (permissions?.length) answer.permissions = permissions.map((permission) => ({ ...permission }));
  return answer;
}

/**
 * @module idp/tokens/types
 * The contract between the IdP's HTTP endpoints and its token logic. Endpoints parse and authenticate;
 * the services decide. Errors are TokenguardErrors with OAuth codes (`oauthError(...)`), which endpoints
 * render per RFC 6749 §5.2 (`toOAuthBody()`).
 */
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { Client, StoredToken, User } from '../model.ts';

/** Who is calling an endpoint, once authenticated. */
export type Caller =
  /** An OAuth client authenticated by any method (basic, post, private_key_jwt, tls_client_auth). */
  | { kind: 'client'; client: Client; method: string }
  /** WSO2 compatibility: a user with the introspection permission, by HTTP Basic. */
  | { kind: 'user'; user: User }
  /** A bearer access token of this IdP (RFC 7662 §2.1 allows it). */
  | { kind: 'bearer'; token: StoredToken; client: Client | undefined }
  /** A static bearer token from config (seed 000's `access-token-with-introspection-permission`). */
  | { kind: 'static'; name: string; tenant: string };

/** The tenant and issuer a request was addressed to (from its path: profile and tenant segment). */
export interface Realm {
  tenant: string;
  /** Issuer identifier of this tenant under this profile (RFC 8414 §2), written into tokens. */
  issuer: string;
  /** Token claim style: `rfc9068` (all seven claims) or `authkit` (seed 000: iss, sub, exp, jti [, scope]). */
  claimStyle: 'rfc9068' | 'authkit';
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

export interface IssueRequest {
  realm: Realm;
  client: Client;
  /** `sub`: the client id for client_credentials (RFC 9068 §2.2), the user for password/jwt-bearer. */
  subject: string;
  user?: User;
  /** Requested scopes (already checked against what the client may have). */
  scope: string[];
  /** Requested audiences (RFC 8707 `resource`); default the client's. */
  audience?: string[];
  withRefreshToken: boolean;
  /** go-authkit `not_required_introspection` (jwt-bearer exchange): written as the `nri` header. */
  notRequiredIntrospection?: boolean;
  /**
   * Family of the new grant; default a random UUID. The authorization_code grant passes the code's id, so
   * a replayed code can revoke what it was exchanged for (RFC 6749 §4.1.2).
   */
  familyId?: string;
}

export interface IntrospectRequest {
  realm: Realm;
  token: string;
  tokenTypeHint?: string;
  caller: Caller;
  /** go-authkit scope filter (resource namespaces). */
  scopeFilter?: string[];
}

export interface TokenService {
  issue(request: IssueRequest): Promise<TokenResponse>;
  /** RFC 6749 §6 with rotation (RFC 9700 §4.14.2): a reused refresh token revokes its whole family. */
  refresh(realm: Realm, client: Client, refreshToken: string, scope?: string[]): Promise<TokenResponse>;
  /** RFC 7662: `{active:false}` for anything unknown, expired, revoked or not allowed to this caller. */
  introspect(request: IntrospectRequest): Promise<IntrospectionAnswer>;
  /** RFC 7009: always succeeds for unknown tokens; only the owner client (or an admin caller) revokes. */
  revoke(realm: Realm, token: string, tokenTypeHint: string | undefined, caller: Caller): Promise<void>;
  /** Finds the stored record of a token of this IdP (verifying a JWT's signature), or undefined. */
  find(realm: Realm, token: string): Promise<StoredToken | undefined>;
}

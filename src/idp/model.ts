/**
 * @module idp/model
 * The identity provider's records: tenants (realms), clients, users, issued tokens and signing keys. Every
 * record belongs to one tenant. Secrets and tokens are never stored in the clear: client secrets and opaque
 * tokens as SHA-256 digests, user passwords with scrypt (a memory-hard KDF), private keys as JWKs.
 */
import type { JWK } from 'jose';
import type { AccessPolicy, Permission } from '../claims/types.ts';

export type { AccessPolicy, Permission } from '../claims/types.ts';

/** The tenant every deployment has; its paths carry no tenant segment. */
export const DEFAULT_TENANT = 'default';

export interface Tenant {
  id: string;
  displayName: string;
  /** WSO2 `allow_cross_tenant`: callers of other tenants may introspect this tenant's tokens. */
  allowCrossTenantIntrospection: boolean;
  createdAt: number;
}

export type GrantType =
  | 'client_credentials'
  | 'refresh_token'
  | 'urn:ietf:params:oauth:grant-type:jwt-bearer'
  /** RFC 6749 §4.1 with RFC 7636 PKCE (S256 required): browser sign-in, `idp/browser`. */
  | 'authorization_code'
  /** RFC 9700 §2.4: MUST NOT be used; only with `legacy.passwordGrant` on. */
  | 'password';

export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'none';

export type TokenFormat = 'jwt' | 'opaque';

export interface Client {
  tenant: string;
  clientId: string;
  name: string;
  description: string;
  /** `sha256:<salt>:<digest>` (see idp/secrets); undefined for clients without a secret. */
  secretHash?: string;
  authMethods: ClientAuthMethod[];
  /** Public keys for `private_key_jwt` (RFC 7523). */
  jwks?: { keys: JWK[] };
  /** Subject DN of the certificate for `tls_client_auth` (RFC 8705 §2.1.2). */
  tlsSubjectDn?: string;
  grantTypes: GrantType[];
  /** Scopes the client may request; empty = none beyond its default. */
  scopes: string[];
  /** Default `aud` of its access tokens; empty = the issuer. */
  audience: string[];
  tokenFormat: TokenFormat;
  /** Access token lifetime, seconds. */
  accessTokenTtl: number;
  /** Refresh token lifetime, seconds; 0 = no refresh tokens. */
  refreshTokenTtl: number;
  /** Access policies written into its tokens (`scope` array of seed 000). */
  policies: AccessPolicy[];
  /** Access policies added only at introspection time ("lightweight" tokens: seed 000's admin2). */
  introspectionPolicies: AccessPolicy[];
  /** Keycloak-style UMA permissions, returned for `token_type_hint=requesting_party_token` (seed 001). */
  permissions: Permission[];
  /** Explicit permission to introspect any token of its tenant. */
  canIntrospect: boolean;
  disabled: boolean;
  createdAt: number;
  /** authorization_code: the redirect URIs it may use, matched exactly (RFC 9700 §4.1.3). */
  redirectUris?: string[];
  /** OIDC RP-Initiated Logout: where the logout endpoint may send the browser back to, matched exactly. */
  postLogoutRedirectUris?: string[];
  /** The deployment's own application: users are not asked for consent. */
  firstParty?: boolean;
}

export interface User {
  tenant: string;
  username: string;
  /** `scrypt:<N>:<r>:<p>:<salt>:<digest>`. */
  passwordHash: string;
  policies: AccessPolicy[];
  introspectionPolicies: AccessPolicy[];
  permissions: Permission[];
  /** WSO2 compatibility: a Basic user allowed to call the introspection endpoint. */
  canIntrospect: boolean;
  admin: boolean;
  disabled: boolean;
  createdAt: number;
  /** OIDC `name` (userinfo, scope `profile`). */
  name?: string;
  /** OIDC `email` (userinfo, scope `email`). */
  email?: string;
}

export type TokenKind = 'access' | 'refresh';

/** An issued token. Opaque tokens are found by `id` = SHA-256 of the token; JWTs by `id` = jti. */
export interface StoredToken {
  tenant: string;
  id: string;
  kind: TokenKind;
  format: TokenFormat;
  clientId: string;
  subject: string;
  /** Space-delimited OAuth scope. */
  scope: string;
  audience: string[];
  issuer: string;
  issuedAt: number;
  expiresAt: number;
  /** The refresh token this one was issued from (rotation, cascade on revocation). */
  parentId?: string;
  /** All tokens descending from one grant share a family (refresh reuse revokes the family). */
  familyId: string;
  revokedAt?: number;
  /** Refresh tokens: set once exchanged (rotation); a second use is a replay. */
  consumedAt?: number;
  /** Claims of the token beyond the registered ones (access policies, jti of a JWT, …). */
  claims: Record<string, unknown>;
}

export interface SigningKey {
  tenant: string;
  kid: string;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: number;
  /** When it stopped signing; undefined = the active key. */
  retiredAt?: number;
  /** Published in the JWKS until then (the last token it signed has expired). */
  publishUntil?: number;
}

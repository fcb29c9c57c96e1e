/**
 * @module claims/types
 * What a verified token says. `Claims` is the raw JSON object: a JWT payload (RFC 7519 / RFC 9068) or an
 * RFC 7662 introspection answer. `Principal` is the normalized view handed to handlers and authorizers,
 * understanding the shapes the seeds' IdPs return (go-authkit access policies, OAuth scope strings,
 * Keycloak `permissions` / `realm_access` / `resource_access`, WSO2 `username`).
 */

/** go-authkit access policy: one entry of a `scope` array (seed 000). All members optional. */
export interface AccessPolicy {
  /** Tenant id. */
  tid?: string;
  /** Tenant UUID. */
  tuid?: string;
  /** Resource server. */
  rs?: string;
  /** Resource namespace (e.g. `my_service`). */
  rn?: string;
  /** Resource path. */
  rp?: string;
  role?: string;
}

/** Keycloak UMA / RPT permission (seed 001). */
export interface Permission {
  resource_id?: string;
  resource_name?: string;
  rsid?: string;
  rsname?: string;
  scopes?: string[];
  [member: string]: unknown;
}

/** Raw claims: a JSON object. Well-known members are typed; anything else is `unknown`. */
export interface Claims {
  active?: boolean;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  client_id?: string;
  azp?: string;
  username?: string;
  token_type?: string;
  scope?: string | AccessPolicy[] | string[];
  scp?: string | string[];
  permissions?: Permission[];
  realm_access?: { roles?: string[] };
  resource_access?: Record<string, { roles?: string[] }>;
  [member: string]: unknown;
}

/** How the token was verified. */
export type VerificationMethod = 'jwt' | 'introspection';

/**
 * The authenticated caller, as handlers and authorizers see it. Built once per verified answer and
 * memoized with the cache entry: it is a pure function of the claims and the scope filter.
 */
export interface Principal {
  readonly method: VerificationMethod;
  /** The raw claims as verified (after the scope filter). */
  readonly claims: Readonly<Claims>;
  readonly subject: string | undefined;
  readonly issuer: string | undefined;
  readonly clientId: string | undefined;
  readonly username: string | undefined;
  readonly audience: readonly string[];
  /** Unix seconds, or undefined when the token carries no `exp` (introspection only). */
  readonly expiresAt: number | undefined;
  /** OAuth scope strings (space-delimited `scope`, `scp`, or a string array). */
  readonly scopes: ReadonlySet<string>;
  /** go-authkit access policies from an array-of-objects `scope`. */
  readonly accessPolicies: readonly AccessPolicy[];
  /** Keycloak `realm_access.roles`. */
  readonly realmRoles: ReadonlySet<string>;
  /** Keycloak `resource_access[client].roles`. */
  readonly resourceRoles: ReadonlyMap<string, ReadonlySet<string>>;
  /** Keycloak RPT `permissions`. */
  readonly permissions: readonly Permission[];
}

/** go-authkit `scope_filter`: keep only access policies whose `rn` is listed. Empty = keep all. */
export type ScopeFilter = readonly { rn: string }[];

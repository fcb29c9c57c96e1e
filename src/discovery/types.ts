/**
 * @module discovery/types
 * Authorization-server metadata (RFC 8414 §2 / OpenID Connect Discovery 1.0 §3): the members the
 * pipeline reads, and the contract of a metadata source (cached discovery client).
 */

export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri?: string;
  token_endpoint?: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  introspection_signing_alg_values_supported?: string[];
  [member: string]: unknown;
}

export interface MetadataSource {
  /**
   * Metadata of the issuer at `issuerUrl`. Rejects with a `serviceUnavailable` TokenguardError
   * (reason `discovery_failed`, or `idp_throttled` with `retryAfter` on 429/503) when it cannot be had.
   */
  get(issuerUrl: string, signal?: AbortSignal): Promise<AuthorizationServerMetadata>;
}

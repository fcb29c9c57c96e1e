/**
 * @module discovery
 * Authorization-server metadata discovery (OIDC Discovery 1.0, RFC 8414): the cached client and the
 * issuer-identifier helpers.
 */
export { DiscoveryClient, type DiscoveryClientOptions } from './discovery-client.ts';
export { type MetadataUrls, metadataUrls, sameIssuer, withoutTrailingSlash } from './issuer-identifier.ts';
export type { AuthorizationServerMetadata, MetadataSource } from './types.ts';

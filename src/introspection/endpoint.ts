/**
 * @module introspection/endpoint
 * Where introspection requests go. A static `endpoint` wins (seed 000: "Static endpoint configuration has
 * higher priority than the dynamic one"); otherwise the `introspection_endpoint` member of the issuer's
 * authorization-server metadata (RFC 8414 §2), read through the `MetadataSource`, which caches it
 * (go-authkit's endpoint-discovery cache).
 */
import type { AuthorizationServerMetadata, MetadataSource } from '../discovery/types.ts';
import { configInvalid, serviceUnavailable } from '../errors/tokenguard-error.ts';
import { describeUrl } from './response.ts';

type EndpointMember = 'introspection_endpoint' | 'token_endpoint';

/** An absolute http(s) URL: the only kind of endpoint we send credentials to. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * One endpoint member of the issuer's metadata. A missing or malformed member is `discovery_failed`: the
 * IdP cannot be used until it (or our config) is fixed, and the caller is not to blame.
 */
export async function discoverEndpoint(
  metadata: MetadataSource,
  issuerUrl: string,
  member: EndpointMember,
  signal?: AbortSignal,
): Promise<string> {
  const document: AuthorizationServerMetadata = await metadata.get(issuerUrl, signal);
  const value = document[member];
  if (!isHttpUrl(value)) {
    throw serviceUnavailable(
      'discovery_failed',
      `metadata of ${describeUrl(issuerUrl)} has no valid ${member} (RFC 8414 §2)`,
    );
  }
  return value;
}

export interface IntrospectionEndpoint {
  /** The static endpoint, or the issuer whose metadata names it: the first part of a transport's id. */
  readonly source: string;
  resolve(signal?: AbortSignal): Promise<string>;
}

/**
 * The endpoint of one transport: `endpoint` when configured, else discovered from `issuerUrl`. Neither is
 * a configuration error, raised at startup.
 */
export function introspectionEndpoint(
  endpoint: string,
  issuerUrl: string,
  metadata: MetadataSource,
): IntrospectionEndpoint {
  if (endpoint) {
    const resolved = Promise.resolve(endpoint);
    return { source: endpoint, resolve: () => resolved };
  }
  if (!issuerUrl) {
    throw configInvalid(
      'auth.introspection.endpoint',
      'is required when no issuer is known to discover it from',
    );
  }
  return {
    source: issuerUrl,
    resolve: (signal) => discoverEndpoint(metadata, issuerUrl, 'introspection_endpoint', signal),
  };
}

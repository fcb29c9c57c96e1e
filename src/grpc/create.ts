/**
 * @module grpc/create
 * `createAuthenticator` for configurations that name a gRPC introspection endpoint
 * (`auth.introspection.grpc.endpoint`). The gRPC transport needs an asynchronous start (the optional gRPC
 * packages are imported on demand), which `createAuthenticator` cannot await; this builds it first, with
 * the static HTTP endpoint (`auth.introspection.endpoint` or `issuer`) as its fallback, as seed 000 asks,
 * then hands it to `createAuthenticator` as the static transport. Without a gRPC endpoint it is
 * `createAuthenticator` itself.
 */
import { parseAuthConfig } from '../config/load.ts';
import { type AuthConfig, authConfigSchema } from '../config/schema.ts';
import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { HttpIntrospectionTransport } from '../introspection/http-transport.ts';
import { readTlsOptions } from '../introspection/tls.ts';
import { createMetrics, noopMetrics } from '../observability/metrics.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { type AuthenticatorOptions, createAuthenticator } from '../pipeline/create-authenticator.ts';
import { HttpClient } from '../util/http-client.ts';
import { checkGrpcIntrospectionConfig, createGrpcIntrospectionTransport } from './grpc-transport.ts';

const DEFAULT_GRPC_TIMEOUT_MS = authConfigSchema.parse({}).introspection.grpc.requestTimeout;

/**
 * The deadline of one gRPC call: `auth.introspection.grpc.requestTimeout`, unless only go-authkit's key
 * for it, `auth.grpcClient.requestTimeout`, was changed from the default.
 */
export function grpcRequestTimeout(config: AuthConfig): number {
  const timeout = config.introspection.grpc.requestTimeout;
  return timeout === DEFAULT_GRPC_TIMEOUT_MS ? config.grpcClient.requestTimeout : timeout;
}

/**
 * An authenticator that introspects over gRPC when `auth.introspection.grpc.endpoint` is set. Closing it
 * closes the channel, the fallback and the HTTP client made here.
 *
 * @example
 * const auth = await createGrpcAuthenticator({ config: loadConfig({ file: 'config.yaml' }) });
 */
export async function createGrpcAuthenticator(options: AuthenticatorOptions = {}): Promise<Authenticator> {
  const config = parseAuthConfig(options.config ?? {});
  const introspection = config.introspection;
  if (!introspection.grpc.endpoint || options.introspectionTransport) {
    return createAuthenticator({ ...options, config });
  }
  checkGrpcIntrospectionConfig(introspection);
  const now = options.now ?? Date.now;
  // Created once here and handed on: a registry cannot hold the same metrics twice.
  const metrics =
    options.metrics ?? (options.registry ? createMetrics({ registry: options.registry }) : noopMetrics);
  // Reaches the HTTP endpoint (fallback) and the token endpoint (client_credentials), as the pipeline's
  // own introspection client would: same timeouts, retries and TLS files.
  const { httpClient } = config;
  const http = new HttpClient({
    timeoutMs: httpClient.requestTimeout,
    retries: httpClient.retries,
    retryBackoffMs: httpClient.retryBackoff,
    connections: httpClient.connections,
    metrics,
    tls: readTlsOptions(introspection.tls),
  });
  const owned: Array<{ close(): Promise<void> }> = [];
  const closeOwned = async () => {
    await Promise.allSettled(owned.map((resource) => resource.close()));
    await http.close();
  };
  try {
    const metadata = new DiscoveryClient({
      http,
      ttlMs: introspection.endpointDiscoveryCache.ttl,
      maxEntries: introspection.endpointDiscoveryCache.maxEntries,
      now,
    });
    const fallback =
      introspection.endpoint || introspection.issuer
        ? new HttpIntrospectionTransport(introspection, {
            http,
            metadata,
            issuerUrl: introspection.issuer || undefined,
            now,
          })
        : undefined;
    if (fallback) owned.push(fallback);
    const transport = await createGrpcIntrospectionTransport(introspection, {
      http,
      metadata,
      fallback,
      now,
      requestTimeoutMs: grpcRequestTimeout(config),
    });
    owned.unshift(transport);
    // The authenticator closes the transport, its fallback and the HTTP client with itself.
    return createAuthenticator({
      ...options,
      config,
      metrics,
      introspectionTransport: transport,
      owned: [...(options.owned ?? []), { close: closeOwned }],
    });
  } catch (error) {
    await closeOwned();
    throw error;
  }
}

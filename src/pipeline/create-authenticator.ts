/**
 * @module pipeline/create-authenticator
 * Assembles the pipeline from configuration: HTTP clients, discovery, trusted issuers, JWKS key sets, the
 * JWT verifier, introspection transports (static or per trusted issuer) and the caches.
 */
import type { Registry } from 'prom-client';
import type { Authorizer } from '../authz/types.ts';
import { keyPrefix } from '../cache/key.ts';
import { LruCache, type LruCacheOptions } from '../cache/lru-cache.ts';
import { RedisCache } from '../cache/redis-cache.ts';
import { redisCacheOptions } from '../cache/shared-cache-config.ts';
import type { TokenCache } from '../cache/types.ts';
import { parseAuthConfig } from '../config/load.ts';
import type { AuthConfig, AuthConfigInput } from '../config/schema.ts';
import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { subscribeRevocations } from '../events/subscribe.ts';
import type { RevocationSubscription } from '../events/types.ts';
import { HttpIntrospectionTransport } from '../introspection/http-transport.ts';
import { createRequestForwarding } from '../introspection/request-forwarding.ts';
import { readTlsOptions } from '../introspection/tls.ts';
import type { IntrospectionTransport } from '../introspection/types.ts';
import { JwtVerifier } from '../jwt/jwt-verifier.ts';
import { KeySets } from '../jwt/key-sets.ts';
import { TrustedIssuers } from '../jwt/trusted-issuers.ts';
import { type Logger, silentLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics, noopMetrics } from '../observability/metrics.ts';
import { createTokenExtractor } from '../token/extract.ts';
import { HttpClient } from '../util/http-client.ts';
import { Authenticator } from './authenticator.ts';
import { createClaimsValidator } from './validate-claims.ts';

export interface AuthenticatorOptions {
  /** The `auth` section (as written, or as returned by `loadConfig`). */
  config?: AuthConfigInput | AuthConfig;
  /** pino logger; default silent. */
  logger?: Logger;
  /** Metrics recorder, or a prom-client registry to create them on. */
  metrics?: Metrics;
  registry?: Registry;
  /** Authorization applied to every request unless a route gives its own. */
  authorize?: Authorizer;
  /** Replace the in-process caches (a shared Redis cache, for instance). */
  caches?: { jwt?: TokenCache; introspection?: TokenCache; negative?: TokenCache };
  /** A custom introspection transport (gRPC): used as the static endpoint, before any HTTP one. */
  introspectionTransport?: IntrospectionTransport;
  /** Resources the authenticator closes with itself (a gRPC transport and its fallback, say). */
  owned?: ReadonlyArray<{ close(): Promise<void> }>;
  now?: () => number;
}

/** A digest of configuration that decides what an answer means, for cache namespaces. */
function digest(...parts: unknown[]): string {
  return keyPrefix(JSON.stringify(parts));
}

export function createAuthenticator(options: AuthenticatorOptions = {}): Authenticator {
  const config = parseAuthConfig(options.config ?? {});
  const logger = options.logger ?? silentLogger;
  const metrics =
    options.metrics ?? (options.registry ? createMetrics({ registry: options.registry }) : noopMetrics);
  const now = options.now ?? Date.now;
  const { httpClient: httpConfig, introspection: introspectionConfig, jwt: jwtConfig } = config;

  const clientOptions = {
    timeoutMs: httpConfig.requestTimeout,
    retries: httpConfig.retries,
    retryBackoffMs: httpConfig.retryBackoff,
    connections: httpConfig.connections,
    metrics,
  };
  const http = new HttpClient(clientOptions);
  const tls = readTlsOptions(introspectionConfig.tls);
  const introspectionHttp = tls ? new HttpClient({ ...clientOptions, tls }) : http;

  const discovery = new DiscoveryClient({
    http,
    ttlMs: introspectionConfig.endpointDiscoveryCache.ttl,
    maxEntries: introspectionConfig.endpointDiscoveryCache.maxEntries,
    now,
  });
  const issuers = new TrustedIssuers(jwtConfig);
  const keySets = new KeySets({
    discovery,
    http,
    cooldownMs: config.jwks.cache.updateMinInterval,
    cacheMaxAgeMs: config.jwks.cache.ttl,
    jwksUri: jwtConfig.jwksUri,
    timeoutMs: httpConfig.requestTimeout * (httpConfig.retries + 1),
  });
  const getKeySet = (issuerUrl: string) => keySets.get(issuerUrl);
  const trustedIssuerCount =
    Object.keys(jwtConfig.trustedIssuers).length + jwtConfig.trustedIssuerUrls.length;

  const introspectionEnabled =
    introspectionConfig.enabled ||
    introspectionConfig.endpoint !== '' ||
    introspectionConfig.issuer !== '' ||
    introspectionConfig.grpc.endpoint !== '' ||
    options.introspectionTransport !== undefined;
  if (introspectionConfig.grpc.endpoint && !options.introspectionTransport) {
    throw configInvalid(
      'auth.introspection.grpc.endpoint',
      'gRPC introspection needs tokenguard/grpc: use await createGrpcAuthenticator(options)',
    );
  }
  const forwarding = introspectionEnabled ? createRequestForwarding(introspectionConfig) : undefined;
  if (forwarding && introspectionConfig.grpc.endpoint) {
    throw configInvalid(
      'auth.introspection.grpc.endpoint',
      'forwardHeaders, forwardParams and requestContext are sent over HTTP only',
    );
  }
  if (
    trustedIssuerCount === 0 &&
    (jwtConfig.enabled || introspectionEnabled) &&
    !introspectionConfig.endpoint
  ) {
    logger.warn('list of trusted issuers is empty: JWTs cannot be verified or introspected by discovery');
  }

  const transportDeps = { http: introspectionHttp, metadata: discovery, getKeySet, now };
  const ownedTransports: IntrospectionTransport[] = [];
  let staticTransport = options.introspectionTransport;
  // A static endpoint, or one issuer whose discovery document names it (Kong's `issuer`), serves every token.
  if (!staticTransport && (introspectionConfig.endpoint || introspectionConfig.issuer)) {
    staticTransport = new HttpIntrospectionTransport(introspectionConfig, {
      ...transportDeps,
      issuerUrl: introspectionConfig.issuer || undefined,
    });
    ownedTransports.push(staticTransport);
  }
  const issuerTransports = new Map<string, IntrospectionTransport>();
  const forIssuer = (iss: string): IntrospectionTransport | undefined => {
    const trusted = issuers.resolve(iss);
    if (!trusted) return undefined;
    let transport = issuerTransports.get(trusted.issuerUrl);
    if (!transport) {
      transport = new HttpIntrospectionTransport(introspectionConfig, {
        ...transportDeps,
        issuerUrl: trusted.issuerUrl,
      });
      issuerTransports.set(trusted.issuerUrl, transport);
      ownedTransports.push(transport);
    }
    return transport;
  };

  const events = metrics;
  const redisOptions = redisCacheOptions(config.sharedCache, 'auth.sharedCache.redis.url', {
    logger,
    events,
    now,
    // Events lost while Redis was down left revoked answers in it: cleared before it is read again.
    clearOnReconnect: config.revocationEvents.source !== 'none',
  });
  const sharedCache =
    options.caches?.introspection || !redisOptions ? undefined : new RedisCache(redisOptions);
  // The LRUs made here serve this pipeline alone: their keys need no namespace prefix (see Authenticator).
  // A cache passed in may be shared with other pipelines, so it is never counted as private.
  const privateCaches = new Set<TokenCache>();
  const privateLru = (lruOptions: LruCacheOptions) => {
    const cache = new LruCache(lruOptions);
    privateCaches.add(cache);
    return cache;
  };
  const introspectionCache =
    options.caches?.introspection ??
    sharedCache ??
    privateLru({
      maxEntries: introspectionConfig.claimsCache.enabled ? introspectionConfig.claimsCache.maxEntries : 0,
      name: 'introspection_claims',
      events,
      now,
    });
  const negativeCache = introspectionConfig.negativeCache.enabled
    ? (options.caches?.negative ??
      privateLru({
        maxEntries: introspectionConfig.negativeCache.maxEntries,
        name: 'introspection_negative',
        events,
        now,
      }))
    : undefined;
  const jwtCache =
    options.caches?.jwt ??
    privateLru({
      maxEntries: jwtConfig.claimsCache.enabled ? jwtConfig.claimsCache.maxEntries : 0,
      name: 'jwt_claims',
      events,
      now,
    });

  const verifier = jwtConfig.enabled ? new JwtVerifier(jwtConfig, { issuers, keySets, now }) : undefined;
  const clientIdentity = [introspectionConfig.clientAuth.method, introspectionConfig.clientAuth.clientId];

  let revocations: RevocationSubscription | undefined;
  const authenticator = new Authenticator({
    config,
    extractor: createTokenExtractor(config.tokenSources),
    validateClaims: createClaimsValidator({
      leewayMs: jwtConfig.leeway,
      requireAudience: jwtConfig.requireAudience,
      expectedAudience: jwtConfig.expectedAudience,
    }),
    logger,
    metrics,
    now,
    jwt: verifier,
    jwtCache,
    privateCaches,
    jwtNamespace: `jwt|${digest(jwtConfig.trustedIssuers, jwtConfig.trustedIssuerUrls, jwtConfig.jwksUri, jwtConfig.algorithms, jwtConfig.requireType)}`,
    introspection: introspectionEnabled
      ? {
          static: staticTransport,
          forIssuer: staticTransport ? undefined : forIssuer,
          discoveryNamespace: `introspection-discovery|${digest(
            jwtConfig.trustedIssuers,
            jwtConfig.trustedIssuerUrls,
            clientIdentity,
            introspectionConfig.scopeFilter,
            introspectionConfig.tokenTypeHint,
            introspectionConfig.accept,
          )}`,
          cache: introspectionCache,
          negativeCache,
          minTtlMs: introspectionConfig.claimsCache.minTtl,
          maxTtlMs: introspectionConfig.claimsCache.ttl,
          defaultTtlMs: introspectionConfig.claimsCache.defaultTtl ?? introspectionConfig.claimsCache.ttl,
          negativeTtlMs: introspectionConfig.negativeCache.ttl,
          staleIfErrorMs: introspectionConfig.staleIfError,
          forwarding,
          scopeFilter: introspectionConfig.scopeFilter,
        }
      : undefined,
    authorize: options.authorize,
    async close() {
      await revocations?.close();
      await Promise.allSettled([...ownedTransports, ...(options.owned ?? [])].map((owned) => owned.close()));
      await sharedCache?.close();
      await http.close();
      if (introspectionHttp !== http) await introspectionHttp.close();
    },
  });
  // Revocation events evict revoked tokens from the caches at once (and flush them after a gap).
  if (config.revocationEvents.source !== 'none') {
    revocations = subscribeRevocations(authenticator, {
      ...config.revocationEvents,
      logger,
      configPath: 'auth.revocationEvents',
    });
  }
  return authenticator;
}

/**
 * @module pipeline/authenticator
 * The one authentication pipeline every face shares: extract the token, look the answer up in the cache,
 * else verify it locally (JWT + JWKS) or introspect it (RFC 7662) with one upstream call per key, then
 * validate the claims and authorize — the last two on every request, cache hit or not.
 *
 * How a token is verified is decided in one place (`#routeOf`), from the configuration and the token's
 * shape: introspection when enabled (static endpoint first, as seed 000, else the endpoint discovered from
 * the token's trusted issuer), local JWT verification otherwise.
 */

import type { Authorizer } from '../authz/types.ts';
import { cacheKey, keyPrefix, tokenFingerprint } from '../cache/key.ts';
import { SingleFlight } from '../cache/single-flight.ts';
import type { CachedAnswer, TokenCache } from '../cache/types.ts';
import { applyScopeFilter, buildPrincipal } from '../claims/principal.ts';
import type { Principal, ScopeFilter, VerificationMethod } from '../claims/types.ts';
import type { AuthConfig } from '../config/schema.ts';
import { authenticationFailed, isTokenguardError, TokenguardError } from '../errors/tokenguard-error.ts';
import type { IntrospectionTransport } from '../introspection/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isWellFormedToken, type TokenExtractor } from '../token/extract.ts';
import { looksLikeJwt, unverifiedIssuer } from '../token/jwt-shape.ts';
import type { ExtractedToken, RequestLike } from '../token/types.ts';
import type { ClaimsValidator } from './validate-claims.ts';

export interface AuthenticateOptions {
  /** Propagated to the IdP as `X-Request-ID`. */
  requestId?: string;
  signal?: AbortSignal;
}

export interface CheckOptions extends AuthenticateOptions {
  /** Authorization for this request; default: the authenticator's `authorize` option, if any. */
  authorize?: Authorizer;
}

/** Everything the pipeline is built from; `createAuthenticator` assembles it from config. */
export interface PipelineParts {
  config: AuthConfig;
  extractor: TokenExtractor;
  validateClaims: ClaimsValidator;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  jwt?: { verify(token: string): Promise<CachedAnswer['claims']> };
  jwtCache: TokenCache;
  jwtNamespace: string;
  introspection?: {
    /** The static endpoint's transport (gRPC or HTTP), if configured. */
    static?: IntrospectionTransport;
    /** Resolves the transport of a token's trusted issuer (discovery), or undefined when untrusted. */
    forIssuer?: (iss: string) => IntrospectionTransport | undefined;
    /** Namespace of discovery-mode keys: a digest of the trust configuration and our client identity. */
    discoveryNamespace: string;
    cache: TokenCache;
    negativeCache?: TokenCache;
    maxTtlMs: number;
    negativeTtlMs: number;
    scopeFilter: ScopeFilter;
  };
  authorize?: Authorizer;
  close(): Promise<void>;
}

interface Route {
  readonly method: VerificationMethod;
  /** `keyPrefix` of the route's namespace. */
  readonly prefix: string;
  readonly cache: TokenCache;
  readonly negativeCache?: TokenCache;
  /** Both caches answer synchronously: `checkCached` may serve this route. */
  readonly synchronous: boolean;
}

function route(
  method: VerificationMethod,
  namespace: string,
  cache: TokenCache,
  negativeCache?: TokenCache,
): Route {
  const synchronous =
    cache.synchronous === true && (negativeCache === undefined || negativeCache.synchronous === true);
  return { method, prefix: keyPrefix(namespace), cache, negativeCache, synchronous };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

const INACTIVE = { active: false } as const;

export class Authenticator {
  readonly config: AuthConfig;
  readonly #parts: PipelineParts;
  readonly #flight = new SingleFlight<CachedAnswer>();
  readonly #principals = new WeakMap<CachedAnswer, Principal>();
  readonly #jwtRoute: Route | undefined;
  readonly #staticRoute: Route | undefined;
  readonly #discoveryRoute: Route | undefined;

  constructor(parts: PipelineParts) {
    this.#parts = parts;
    this.config = parts.config;
    const introspection = parts.introspection;
    if (parts.jwt) this.#jwtRoute = route('jwt', parts.jwtNamespace, parts.jwtCache);
    if (introspection?.static) {
      const namespace = `introspection|${introspection.static.id}`;
      this.#staticRoute = route('introspection', namespace, introspection.cache, introspection.negativeCache);
    }
    if (introspection?.forIssuer) {
      const namespace = introspection.discoveryNamespace;
      this.#discoveryRoute = route(
        'introspection',
        namespace,
        introspection.cache,
        introspection.negativeCache,
      );
    }
  }

  /** Extracts the bearer token of a request (RFC 6750). Throws `bearerTokenMissing` / `invalidRequest`. */
  extract(request: RequestLike): ExtractedToken {
    return this.#parts.extractor.extract(request);
  }

  /** Authenticates a request: extraction, then `authenticateToken`. */
  async authenticate(request: RequestLike, options?: AuthenticateOptions): Promise<Principal> {
    return this.authenticateToken(this.#parts.extractor.extract(request).token, options);
  }

  /** Authenticates and authorizes a request; resolves with the principal or rejects with a TokenguardError. */
  async check(request: RequestLike, options: CheckOptions = {}): Promise<Principal> {
    const principal = await this.authenticateToken(this.#parts.extractor.extract(request).token, options);
    this.authorize(principal, options.authorize ?? this.#parts.authorize);
    return principal;
  }

  /**
   * The synchronous fast path of `check`: answers from an in-process cache hit with no promise and no
   * await, so adapters can run the handler in the same tick. Returns undefined when the answer must be
   * fetched (cache miss, or an asynchronous cache): then call `check`. Throws exactly as `check` rejects;
   * claims and authorization are checked as on every path.
   */
  checkCached(request: RequestLike, options: CheckOptions = {}): Principal | undefined {
    const token = this.#parts.extractor.extract(request).token;
    const route = this.#routeOf(token);
    if (!route.synchronous) return undefined;
    const key = cacheKey(route.prefix, token);
    const answer = (route.cache.get(key) ?? route.negativeCache?.get(key)) as CachedAnswer | undefined;
    if (answer === undefined) return undefined;
    const principal = this.#accept(answer, route.method);
    this.authorize(principal, options.authorize ?? this.#parts.authorize);
    return principal;
  }

  /** Verifies one token. Claims are validated on every call; the IdP is asked at most once per key. */
  async authenticateToken(token: string, options: AuthenticateOptions = {}): Promise<Principal> {
    const route = this.#routeOf(token);
    const key = cacheKey(route.prefix, token);
    let answer = route.cache.get(key);
    if (isPromise(answer)) answer = await answer;
    if (answer === undefined && route.negativeCache) {
      let negative = route.negativeCache.get(key);
      if (isPromise(negative)) negative = await negative;
      answer = negative;
    }
    if (answer === undefined) {
      answer = await this.#flight.run(key, () => this.#verify(route, token, key, options));
    }
    return this.#accept(answer, route.method);
  }

  /**
   * Runs an authorizer; throws `authorizationFailed` (403, with the `insufficient_scope` challenge when
   * scopes were required). Without an authorizer every authenticated principal passes.
   */
  authorize(principal: Principal, authorizer: Authorizer | undefined = this.#parts.authorize): void {
    if (authorizer === undefined || authorizer.check(principal)) return;
    const requiredScopes = authorizer.requiredScopes;
    throw new TokenguardError(
      'authorizationFailed',
      requiredScopes?.length ? 'insufficient_scope' : 'access_denied',
      {
        detail: authorizer.description,
        requiredScopes,
      },
    );
  }

  /** Drops every cached answer for a token (after a revocation, for instance). */
  async invalidate(token: string): Promise<void> {
    const routes = [this.#jwtRoute, this.#staticRoute, this.#discoveryRoute];
    for (const route of routes) {
      if (!route) continue;
      const key = cacheKey(route.prefix, token);
      await route.cache.delete(key);
      await route.negativeCache?.delete(key);
    }
  }

  /**
   * Maps any failure to a TokenguardError. An unexpected exception (a bug) fails closed as a 503 and is
   * logged with its stack here, never sent to the client.
   */
  toError(error: unknown): TokenguardError {
    if (isTokenguardError(error)) return error;
    this.#parts.logger.error({ err: error }, 'unexpected error in authentication');
    return new TokenguardError('serviceUnavailable', 'internal_error', { cause: error });
  }

  close(): Promise<void> {
    return this.#parts.close();
  }

  #routeOf(token: string): Route {
    if (this.#staticRoute) return this.#staticRoute;
    const jwt = looksLikeJwt(token);
    if (this.#discoveryRoute && jwt) return this.#discoveryRoute;
    if (this.#jwtRoute && jwt) return this.#jwtRoute;
    throw authenticationFailed(
      jwt ? 'token_not_introspectable' : 'token_malformed',
      jwt
        ? 'no verifier configured for JWTs'
        : 'not a JWT and no static introspection endpoint is configured',
    );
  }

  async #verify(
    route: Route,
    token: string,
    key: string,
    options: AuthenticateOptions,
  ): Promise<CachedAnswer> {
    if (!isWellFormedToken(token)) throw authenticationFailed('token_malformed', 'not an RFC 6750 b64token');
    try {
      return route.method === 'jwt'
        ? await this.#verifyJwt(route, token, key)
        : await this.#introspect(route, token, key, options);
    } catch (error) {
      this.#recordFailure(error, route.method, token);
      throw error;
    }
  }

  async #verifyJwt(route: Route, token: string, key: string): Promise<CachedAnswer> {
    const claims = await this.#parts.jwt!.verify(token);
    // exp is required by the verifier; the entry lives exactly as long as the token.
    const expiresAt = (claims.exp as number) * 1000;
    const answer: CachedAnswer = { claims, active: true, expiresAt };
    await route.cache.set(key, answer, expiresAt - this.#parts.now());
    this.#parts.metrics.authentication('jwt_valid');
    return answer;
  }

  async #introspect(
    route: Route,
    token: string,
    key: string,
    options: AuthenticateOptions,
  ): Promise<CachedAnswer> {
    const introspection = this.#parts.introspection!;
    const transport = route === this.#staticRoute ? introspection.static! : this.#issuerTransport(token);
    const result = await transport.introspect(token, options);
    const now = this.#parts.now();
    if (result.active !== true) {
      this.#parts.metrics.authentication('not_active');
      const answer: CachedAnswer = {
        claims: INACTIVE,
        active: false,
        expiresAt: now + introspection.negativeTtlMs,
      };
      await route.negativeCache?.set(key, answer, introspection.negativeTtlMs);
      return answer;
    }
    const claims = applyScopeFilter(result, introspection.scopeFilter);
    // TTL = min(exp − now, max TTL); an answer without exp lives the configured TTL (RFC 7662 §4).
    const expiresAt =
      typeof claims.exp === 'number'
        ? Math.min(claims.exp * 1000, now + introspection.maxTtlMs)
        : now + introspection.maxTtlMs;
    const answer: CachedAnswer = { claims, active: true, expiresAt };
    await route.cache.set(key, answer, expiresAt - now);
    this.#parts.metrics.authentication('active');
    return answer;
  }

  #issuerTransport(token: string): IntrospectionTransport {
    const iss = unverifiedIssuer(token);
    if (iss === undefined) throw authenticationFailed('jwt_issuer_missing', 'the token names no issuer');
    const transport = this.#parts.introspection!.forIssuer!(iss);
    if (!transport) throw authenticationFailed('jwt_issuer_untrusted', 'issuer is not trusted');
    return transport;
  }

  #accept(answer: CachedAnswer, method: VerificationMethod): Principal {
    if (!answer.active) throw authenticationFailed('token_inactive', 'the IdP says the token is not active');
    this.#parts.validateClaims(answer.claims, method, this.#parts.now());
    let principal = this.#principals.get(answer);
    if (principal === undefined) {
      principal = buildPrincipal(answer.claims, method);
      this.#principals.set(answer, principal);
    }
    return principal;
  }

  #recordFailure(error: unknown, method: VerificationMethod, token: string): void {
    if (!isTokenguardError(error)) return;
    const unavailable = error.code === 'serviceUnavailable';
    this.#parts.metrics.authentication(
      unavailable
        ? error.reason === 'idp_throttled'
          ? 'throttled'
          : 'service_unavailable'
        : method === 'jwt'
          ? 'jwt_invalid'
          : 'error',
    );
    if (unavailable) {
      this.#parts.logger.warn(
        { error_reason: error.reason, detail: error.detail, token_hash: tokenFingerprint(token) },
        method === 'jwt' ? 'token verification failed: keys unavailable' : "token's introspection failed",
      );
    }
  }
}

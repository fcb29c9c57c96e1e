/**
 * @module pipeline/authenticator
 * The one authentication pipeline every face shares: extract the token, look the answer up in the cache,
 * else verify it locally (JWT + JWKS) or introspect it (RFC 7662) with one upstream call per key, then
 * validate the claims and authorize — the last two on every request, cache hit or not.
 *
 * How a token is verified is decided in one place (`#routeOf`), from the configuration and the token's
 * shape: introspection when enabled (static endpoint first, as seed 000, else the endpoint discovered from
 * the token's trusted issuer), local JWT verification otherwise.
 *
 * Cache keys are `<route prefix>.<SHA-256 of the token>`, plus `.<digest of the forwarded values>` when
 * request values are sent to the IdP (`introspection.forwardHeaders` …): the answer may depend on them.
 * A cache the pipeline made for one route alone (`PipelineParts.privateCaches`, used by no other route)
 * is the namespace itself, so its keys drop the route prefix: one string fewer to build, flatten and hash
 * on every hit. Caches passed in or shared (Redis) always get prefixed keys.
 * Revocation events evict by token hash, by claims, or flush everything (`evictTokenHashes`,
 * `evictMatching`, `flush`); an eviction also stops answers fetched before it from being stored after it.
 */

import type { Authorizer } from '../authz/types.ts';
import { keyPrefix, tokenDigest, tokenFingerprint } from '../cache/key.ts';
import { SingleFlight } from '../cache/single-flight.ts';
import type { CachedAnswer, EvictionMatch, TokenCache } from '../cache/types.ts';
import { applyScopeFilter, buildPrincipal } from '../claims/principal.ts';
import type { Principal, ScopeFilter, VerificationMethod } from '../claims/types.ts';
import type { AuthConfig } from '../config/schema.ts';
import {
  authenticationFailed,
  DEFAULT_RETRY_AFTER_SECONDS,
  isTokenguardError,
  TokenguardError,
} from '../errors/tokenguard-error.ts';
import {
  type ForwardableRequest,
  type ForwardedRequest,
  forwardedDigest,
  type RequestForwarding,
} from '../introspection/request-forwarding.ts';
import type { IntrospectionTransport } from '../introspection/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isWellFormedToken, type TokenExtractor } from '../token/extract.ts';
import { looksLikeJwt, unverifiedIssuer } from '../token/jwt-shape.ts';
import type { ExtractedToken, RequestLike } from '../token/types.ts';
import { freshAnswer } from './answer-freshness.ts';
import type { ClaimsValidator } from './validate-claims.ts';

export interface AuthenticateOptions {
  /** Propagated to the IdP as `X-Request-ID`. */
  requestId?: string;
  signal?: AbortSignal;
  /**
   * The client's request, read for `introspection.forwardHeaders`, `forwardParams` and `requestContext`
   * (its `method` for the last). `check` and `checkCached` use the request they are given unless this is set.
   */
  request?: ForwardableRequest;
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
  /**
   * Caches created for this pipeline alone, which nothing else reads or writes: a route that is the only
   * user of its caches keys them by token digest without its namespace prefix.
   */
  privateCaches?: ReadonlySet<TokenCache>;
  introspection?: {
    /** The static endpoint's transport (gRPC or HTTP), if configured. */
    static?: IntrospectionTransport;
    /** Resolves the transport of a token's trusted issuer (discovery), or undefined when untrusted. */
    forIssuer?: (iss: string) => IntrospectionTransport | undefined;
    /** Namespace of discovery-mode keys: a digest of the trust configuration and our client identity. */
    discoveryNamespace: string;
    cache: TokenCache;
    negativeCache?: TokenCache;
    /** Freshness bounds of active answers (`claimsCache.minTtl`, `.ttl`) and of answers without exp. */
    minTtlMs: number;
    maxTtlMs: number;
    defaultTtlMs: number;
    negativeTtlMs: number;
    /** How long past its freshness an answer may serve when the IdP is unavailable; 0 = never. */
    staleIfErrorMs: number;
    /** Request values sent to the IdP, when configured. */
    forwarding?: RequestForwarding;
    scopeFilter: ScopeFilter;
  };
  authorize?: Authorizer;
  close(): Promise<void>;
}

interface Route {
  readonly method: VerificationMethod;
  /** `keyPrefix` of the route's namespace. */
  readonly prefix: string;
  /** Whether keys carry `prefix` (false when the route's caches are its own: they are the namespace). */
  readonly prefixed: boolean;
  readonly cache: TokenCache;
  readonly negativeCache?: TokenCache;
  /** Both caches can answer synchronously (in process, or an in-process tier): `checkCached` may serve. */
  readonly synchronous: boolean;
  /** The synchronous lookups `checkCached` uses: `get` of an in-process cache, `peek` of a tiered one. */
  readonly peek: (key: string) => CachedAnswer | undefined;
  readonly peekNegative?: (key: string) => CachedAnswer | undefined;
  /** Request values sent to the IdP (introspection only): their digest ends the cache key. */
  readonly forwarding?: RequestForwarding;
}

/** A cache's synchronous lookup, if it has one: its own `get`, or the in-process tier of a shared cache. */
function synchronousLookup(cache: TokenCache): ((key: string) => CachedAnswer | undefined) | undefined {
  if (cache.synchronous === true) return (key) => cache.get(key) as CachedAnswer | undefined;
  const peek = cache.peek?.bind(cache);
  return peek;
}

interface RouteSpec {
  method: VerificationMethod;
  namespace: string;
  cache: TokenCache;
  negativeCache?: TokenCache;
  forwarding?: RequestForwarding;
}

/**
 * Builds the routes of the present specs, in order; a route's keys go without prefix only if each of its
 * caches is private and used by no other route.
 */
function routes(
  specs: readonly (RouteSpec | undefined)[],
  privateCaches: ReadonlySet<TokenCache>,
): (Route | undefined)[] {
  const users = new Map<TokenCache, number>();
  for (const spec of specs) {
    for (const used of [spec?.cache, spec?.negativeCache]) {
      if (used) users.set(used, (users.get(used) ?? 0) + 1);
    }
  }
  const own = (cache: TokenCache | undefined) =>
    cache === undefined || (privateCaches.has(cache) && users.get(cache) === 1);
  return specs.map((spec) => spec && route(spec, !(own(spec.cache) && own(spec.negativeCache))));
}

function route({ method, namespace, cache, negativeCache, forwarding }: RouteSpec, prefixed: boolean): Route {
  const peek = synchronousLookup(cache);
  const peekNegative = negativeCache ? synchronousLookup(negativeCache) : undefined;
  const synchronous = peek !== undefined && (negativeCache === undefined || peekNegative !== undefined);
  return {
    method,
    prefix: keyPrefix(namespace),
    prefixed,
    cache,
    negativeCache,
    synchronous,
    peek: peek ?? (() => undefined),
    peekNegative,
    forwarding,
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The key of a token, given its digest (`tokenDigest`, or a hash a revocation event carries). */
function digestKey(route: Route, digest: string): string {
  return route.prefixed ? `${route.prefix}.${digest}` : digest;
}

/** The key of an answer; obtained with `forwarded` values, it names them too (they may change the answer). */
function answerKey(route: Route, token: string, forwarded: ForwardedRequest | undefined): string {
  const key = digestKey(route, tokenDigest(token));
  return forwarded === undefined ? key : `${key}.${forwardedDigest(forwarded)}`;
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
  /** Every route, for evictions by token hash. */
  readonly #routes: readonly Route[];
  /** Each distinct cache once: positive answers (JWT and introspection), then the negative cache. */
  readonly #answerCaches: readonly TokenCache[];
  readonly #allCaches: readonly TokenCache[];
  /** Caches already reported as lacking an eviction method (warned once each). */
  readonly #warnedCaches = new WeakSet<TokenCache>();
  /**
   * Counts evictions. An answer is stored only if no eviction happened since its verification began: one
   * fetched before a revocation must not land in the cache after the revocation's eviction.
   */
  #epoch = 0;

  constructor(parts: PipelineParts) {
    this.#parts = parts;
    this.config = parts.config;
    const introspection = parts.introspection;
    const introspectionRoute = (namespace: string): RouteSpec | undefined =>
      introspection && {
        method: 'introspection',
        namespace,
        cache: introspection.cache,
        negativeCache: introspection.negativeCache,
        forwarding: introspection.forwarding,
      };
    const built = routes(
      [
        parts.jwt ? { method: 'jwt', namespace: parts.jwtNamespace, cache: parts.jwtCache } : undefined,
        introspection?.static ? introspectionRoute(`introspection|${introspection.static.id}`) : undefined,
        introspection?.forIssuer ? introspectionRoute(introspection.discoveryNamespace) : undefined,
      ],
      parts.privateCaches ?? new Set(),
    );
    [this.#jwtRoute, this.#staticRoute, this.#discoveryRoute] = built;
    this.#routes = built.filter((entry): entry is Route => entry !== undefined);
    this.#answerCaches = [...new Set([parts.jwtCache, ...(introspection ? [introspection.cache] : [])])];
    this.#allCaches = [
      ...new Set([
        ...this.#answerCaches,
        ...(introspection?.negativeCache ? [introspection.negativeCache] : []),
      ]),
    ];
  }

  /** Extracts the bearer token of a request (RFC 6750). Throws `bearerTokenMissing` / `invalidRequest`. */
  extract(request: RequestLike): ExtractedToken {
    return this.#parts.extractor.extract(request);
  }

  /** Authenticates a request: extraction, then `authenticateToken` (with the request, for forwarding). */
  async authenticate(request: ForwardableRequest, options: AuthenticateOptions = {}): Promise<Principal> {
    const token = this.#parts.extractor.extract(request).token;
    return this.#authenticate(token, options, options.request ?? request);
  }

  /** Authenticates and authorizes a request; resolves with the principal or rejects with a TokenguardError. */
  async check(request: ForwardableRequest, options: CheckOptions = {}): Promise<Principal> {
    const token = this.#parts.extractor.extract(request).token;
    const principal = await this.#authenticate(token, options, options.request ?? request);
    this.authorize(principal, options.authorize ?? this.#parts.authorize);
    return principal;
  }

  /**
   * The synchronous fast path of `check`: answers from an in-process cache hit with no promise and no
   * await, so adapters can run the handler in the same tick. Returns undefined when the answer must be
   * fetched (cache miss, or an asynchronous cache): then call `check`. Throws exactly as `check` rejects;
   * claims and authorization are checked as on every path.
   */
  checkCached(request: ForwardableRequest, options: CheckOptions = {}): Principal | undefined {
    const token = this.#parts.extractor.extract(request).token;
    const route = this.#routeOf(token);
    if (!route.synchronous) return undefined;
    const key = answerKey(route, token, route.forwarding?.collect(options.request ?? request));
    const answer = route.peek(key) ?? route.peekNegative?.(key);
    // An answer past its freshness is only a fallback for when the IdP fails: the async path asks first.
    if (answer === undefined || (answer.freshUntil !== undefined && answer.freshUntil <= this.#parts.now())) {
      return undefined;
    }
    const principal = this.#accept(answer, route.method);
    this.authorize(principal, options.authorize ?? this.#parts.authorize);
    return principal;
  }

  /**
   * Verifies one token. Claims are validated on every call; the IdP is asked at most once per key. Pass
   * `options.request` when request values are forwarded to the IdP.
   */
  authenticateToken(token: string, options: AuthenticateOptions = {}): Promise<Principal> {
    return this.#authenticate(token, options, options.request);
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
    await this.evictTokenHashes([tokenDigest(token)]);
  }

  /**
   * Drops the cached answers of tokens named by their SHA-256 (base64url, as revocation events carry them)
   * from every route's caches: the key `<prefix>.<hash>` (the hash alone in a route's own cache), and, where
   * request values are forwarded, every `<key>.<digest>` (through `deleteByPrefix`; a cache without it is
   * cleared). Resolves with
   * the number of entries deleted, as far as the caches tell.
   */
  async evictTokenHashes(hashes: readonly string[]): Promise<number> {
    this.#epoch++;
    let deleted = 0;
    for (const route of this.#routes) {
      const keys = hashes.map((hash) => digestKey(route, hash));
      for (const cache of route.negativeCache ? [route.cache, route.negativeCache] : [route.cache]) {
        for (const key of keys) if ((await cache.delete(key)) === true) deleted++;
        if (route.forwarding && keys.length > 0) {
          const prefixes = keys.map((key) => `${key}.`);
          deleted += cache.deleteByPrefix
            ? await cache.deleteByPrefix(prefixes)
            : await this.#clearInstead(cache, 'deleteByPrefix');
        }
      }
    }
    return deleted;
  }

  /**
   * Drops the cached answers whose claims match a revocation (`jti`, subject, client; see
   * `EvictionMatch`) from each distinct cache of active answers (`TokenCache.evictMatching`; a cache
   * without it is cleared). Resolves with the number of entries deleted.
   */
  async evictMatching(match: EvictionMatch): Promise<number> {
    this.#epoch++;
    let deleted = 0;
    for (const cache of this.#answerCaches) {
      deleted += cache.evictMatching
        ? await cache.evictMatching(match)
        : await this.#clearInstead(cache, 'evictMatching');
    }
    return deleted;
  }

  /** Clears every cache of answers (JWT, introspection, negative): after a gap in the revocation events. */
  async flush(): Promise<void> {
    this.#epoch++;
    for (const cache of this.#allCaches) await cache.clear();
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

  /** A cache that cannot select entries is emptied: evicting too much costs refetches, too little is unsafe. */
  async #clearInstead(cache: TokenCache, missing: string): Promise<number> {
    if (!this.#warnedCaches.has(cache)) {
      this.#warnedCaches.add(cache);
      this.#parts.logger.warn({ missing }, 'cache cannot select entries to evict: clearing it instead');
    }
    const size = cache.size ?? 0;
    await cache.clear();
    return size;
  }

  async #authenticate(
    token: string,
    options: AuthenticateOptions,
    request: ForwardableRequest | undefined,
  ): Promise<Principal> {
    const route = this.#routeOf(token);
    // Read before the cache: an eviction from here on voids what this call reads or fetches.
    const epoch = this.#epoch;
    const forwarded = route.forwarding?.collect(request);
    const key = answerKey(route, token, forwarded);
    let answer = route.cache.get(key);
    if (isPromise(answer)) answer = await answer;
    // Past its freshness, an answer is a fallback only (staleIfError): ask the IdP, keep it in hand.
    let stale: CachedAnswer | undefined;
    if (answer?.freshUntil !== undefined && answer.freshUntil <= this.#parts.now()) {
      stale = answer;
      answer = undefined;
    }
    if (answer === undefined && route.negativeCache) {
      let negative = route.negativeCache.get(key);
      if (isPromise(negative)) negative = await negative;
      answer = negative;
    }
    if (answer === undefined) {
      const call = { route, token, key, options, forwarded, stale, epoch };
      answer = await this.#flight.run(key, () => this.#verify(call));
    }
    return this.#accept(answer, route.method);
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

  async #verify(call: Verification): Promise<CachedAnswer> {
    const { route, token, stale, epoch } = call;
    if (!isWellFormedToken(token)) throw authenticationFailed('token_malformed', 'not an RFC 6750 b64token');
    try {
      return route.method === 'jwt' ? await this.#verifyJwt(call) : await this.#introspect(call);
    } catch (error) {
      // Not after an eviction since the stale answer was read: it may be the revoked one.
      if (stale !== undefined && epoch === this.#epoch && this.#mayServeStale(stale, error)) {
        return this.#serveStale(call, stale, error as TokenguardError);
      }
      this.#recordFailure(error, route.method, token);
      throw error;
    }
  }

  /** Stores an answer unless an eviction happened since `epoch` (the answer may predate a revocation). */
  async #store(cache: TokenCache, key: string, answer: CachedAnswer, ttlMs: number, epoch: number) {
    if (epoch === this.#epoch) await cache.set(key, answer, ttlMs);
  }

  async #verifyJwt({ route, token, key, epoch }: Verification): Promise<CachedAnswer> {
    const claims = await this.#parts.jwt!.verify(token);
    // exp is required by the verifier; the entry lives exactly as long as the token.
    const expiresAt = (claims.exp as number) * 1000;
    const answer: CachedAnswer = { claims, active: true, expiresAt };
    await this.#store(route.cache, key, answer, expiresAt - this.#parts.now(), epoch);
    this.#parts.metrics.authentication('jwt_valid');
    return answer;
  }

  async #introspect(call: Verification): Promise<CachedAnswer> {
    const { route, token, key, options, forwarded, stale, epoch } = call;
    const introspection = this.#parts.introspection!;
    const transport = route === this.#staticRoute ? introspection.static! : this.#issuerTransport(token);
    const result = await transport.introspect(token, {
      requestId: options.requestId,
      signal: options.signal,
      forwarded,
    });
    const now = this.#parts.now();
    if (result.active !== true) {
      this.#parts.metrics.authentication('not_active');
      // The IdP said no: the old answer must never come back as a stale fallback.
      if (stale !== undefined) await route.cache.delete(key);
      const answer: CachedAnswer = {
        claims: INACTIVE,
        active: false,
        expiresAt: now + introspection.negativeTtlMs,
      };
      if (route.negativeCache) {
        await this.#store(route.negativeCache, key, answer, introspection.negativeTtlMs, epoch);
      }
      return answer;
    }
    const claims = applyScopeFilter(result, introspection.scopeFilter);
    const answer = freshAnswer(claims, now, introspection);
    await this.#store(route.cache, key, answer, answer.expiresAt - now, epoch);
    this.#parts.metrics.authentication('active');
    return answer;
  }

  /**
   * A stale answer may stand in for the IdP's only when the IdP is unavailable (never after a definite
   * answer), when it was active, and while the token's own exp has not passed (no exp: never).
   */
  #mayServeStale(stale: CachedAnswer, error: unknown): boolean {
    const now = this.#parts.now();
    const exp = stale.claims.exp;
    return (
      isTokenguardError(error) &&
      error.code === 'serviceUnavailable' &&
      stale.active &&
      typeof exp === 'number' &&
      now < exp * 1000 &&
      now < stale.expiresAt
    );
  }

  /**
   * Serves the stale answer and keeps it fresh for the IdP's Retry-After (bounded by the entry's end), so
   * that during an outage requests do not each wait for a failing call: the IdP is asked again after that.
   */
  async #serveStale(
    { route, token, key, epoch }: Verification,
    stale: CachedAnswer,
    error: TokenguardError,
  ): Promise<CachedAnswer> {
    const now = this.#parts.now();
    const retryMs = (error.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS) * 1000;
    const answer: CachedAnswer = {
      claims: stale.claims,
      active: true,
      expiresAt: stale.expiresAt,
      freshUntil: Math.min(stale.expiresAt, now + retryMs),
    };
    const principal = this.#principals.get(stale);
    if (principal !== undefined) this.#principals.set(answer, principal);
    await this.#store(route.cache, key, answer, stale.expiresAt - now, epoch);
    this.#parts.metrics.authentication('stale');
    this.#parts.logger.warn(
      {
        error_reason: error.reason,
        token_hash: tokenFingerprint(token),
        stale_ms: now - (stale.freshUntil ?? now),
      },
      'serving stale introspection answer',
    );
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

/** One verification in flight: what `#verify` needs, bundled once per cache miss. */
interface Verification {
  readonly route: Route;
  readonly token: string;
  readonly key: string;
  readonly options: AuthenticateOptions;
  readonly forwarded: ForwardedRequest | undefined;
  /** The cached answer past its freshness, if any: the fallback of `staleIfError`. */
  readonly stale: CachedAnswer | undefined;
  /** Evictions counted when the call began (see `Authenticator.#epoch`). */
  readonly epoch: number;
}

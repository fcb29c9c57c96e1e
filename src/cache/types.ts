/**
 * @module cache/types
 * The cache contract of the pipeline. The cache holds only the raw, verified answer of the IdP (or of local
 * JWT verification), never an allow/deny decision: claim validation and authorization re-run on every hit.
 * Keys are already hashed (see `cache/key.ts`); no raw token ever reaches a cache.
 */
import type { Claims } from '../claims/types.ts';

/** One cached answer. */
export interface CachedAnswer {
  /** The claims as verified (JWT payload or introspection answer). For a negative entry: `{active:false}`. */
  readonly claims: Claims;
  /** false for a cached "inactive" answer (negative cache). */
  readonly active: boolean;
  /** When the entry stops being served, epoch milliseconds. Never later than the token's `exp`. */
  readonly expiresAt: number;
  /**
   * When the answer stops being fresh, epoch milliseconds; absent = fresh until `expiresAt`. Between the
   * two the entry is kept only as a fallback (`introspection.staleIfError`): the pipeline asks the IdP
   * again and serves it only if the IdP is unavailable. A shared cache must store it with the answer.
   */
  readonly freshUntil?: number;
}

/**
 * Entries to evict after a revocation event (any field that matches evicts). Exact keys are deleted with
 * `delete`; this selects entries by what their claims say, for events that name no token hash.
 */
export interface EvictionMatch {
  readonly jtis?: readonly string[];
  readonly subject?: string;
  readonly clientId?: string;
  /** Restricts subject/client matches to answers of this issuer (`iss`), when the answer names one. */
  readonly issuer?: string;
}

/**
 * A cache of answers. Methods may be synchronous (in-process LRU: the hot path then never awaits) or
 * return promises (a shared Redis cache). Implementations must honour `ttlMs` and stay bounded.
 */
export interface TokenCache {
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlMs: number): void | Promise<void>;
  /** Deletes one entry; may tell whether there was one (`true`), for eviction counts. */
  delete(key: string): void | boolean | Promise<void> | Promise<boolean>;
  /**
   * Deletes every entry whose key starts with one of `prefixes`; returns how many. Needed for keys that
   * carry a digest of forwarded request values after the token hash (`<prefix>.<token hash>.<digest>`):
   * evicting a token hash then deletes `<prefix>.<token hash>.*`. A cache without it is cleared instead.
   */
  deleteByPrefix?(prefixes: readonly string[]): number | Promise<number>;
  clear(): void | Promise<void>;
  /** Deletes the entries whose claims match (revocation events); returns how many it deleted. */
  evictMatching?(match: EvictionMatch): number | Promise<number>;
  /** Number of entries held in process (for metrics); undefined when unknown. */
  readonly size?: number;
  /**
   * The in-process tier of a shared cache, looked up synchronously (no network): lets the pipeline answer
   * hits of a Redis-backed cache without an await, as it does for an in-process one.
   */
  peek?(key: string): CachedAnswer | undefined;
  /** True when `get` never returns a promise: the pipeline then answers hits without any await. */
  readonly synchronous?: boolean;
}

/** Observer of cache events, for metrics (`cache` label = the cache's name). */
export interface CacheEvents {
  hit(cache: string): void;
  miss(cache: string): void;
  eviction(cache: string): void;
}

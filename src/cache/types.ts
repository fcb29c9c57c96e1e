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
  delete(key: string): void | Promise<void>;
  clear(): void | Promise<void>;
  /** Deletes the entries whose claims match (revocation events); returns how many it deleted. */
  evictMatching?(match: EvictionMatch): number | Promise<number>;
  /** Number of entries held in process (for metrics); undefined when unknown. */
  readonly size?: number;
  /** True when `get` never returns a promise: the pipeline then answers hits without any await. */
  readonly synchronous?: boolean;
}

/** Observer of cache events, for metrics (`cache` label = the cache's name). */
export interface CacheEvents {
  hit(cache: string): void;
  miss(cache: string): void;
  eviction(cache: string): void;
}

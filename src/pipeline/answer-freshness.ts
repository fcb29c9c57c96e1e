/**
 * @module pipeline/answer-freshness
 * How long an active introspection answer is served from the cache, with Kong's bounds (`cache_ttl_min`,
 * `cache_ttl_max`, `cache_ttl`, `cache_ttl_resurrect`): freshness = clamp(exp − now, minTtl, ttl), or
 * defaultTtl clamped the same way when the answer has no `exp` (RFC 7662 §2.2 makes it optional), and never
 * past exp. With `staleIfError`, an answer that has an exp is kept beyond its freshness, until
 * min(exp, end of freshness + staleIfError), as a fallback for when the IdP is unavailable. Claims validation
 * still checks exp on every use, fresh or stale.
 */
import type { CachedAnswer } from '../cache/types.ts';

export interface FreshnessBounds {
  /** Shortest freshness (`claimsCache.minTtl`), ms. */
  readonly minTtlMs: number;
  /** Longest freshness (`claimsCache.ttl`), ms. */
  readonly maxTtlMs: number;
  /** Freshness of an answer without exp (`claimsCache.defaultTtl`, else ttl), ms. */
  readonly defaultTtlMs: number;
  /** How long past its freshness an answer may still serve as a fallback (`staleIfError`), ms; 0 = never. */
  readonly staleIfErrorMs: number;
}

/**
 * The cache entry of an active answer received at `now`. `freshUntil` is set only when the entry outlives
 * its freshness (stale fallback on), so that without `staleIfError` entries are exactly as before.
 */
export function freshAnswer(
  claims: CachedAnswer['claims'],
  now: number,
  bounds: FreshnessBounds,
): CachedAnswer {
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const wanted = exp === undefined ? bounds.defaultTtlMs : exp - now;
  const ttl = Math.min(Math.max(wanted, bounds.minTtlMs), bounds.maxTtlMs);
  const freshUntil = exp === undefined ? now + ttl : Math.min(now + ttl, exp);
  if (bounds.staleIfErrorMs > 0 && exp !== undefined && exp > freshUntil) {
    const expiresAt = Math.min(exp, freshUntil + bounds.staleIfErrorMs);
    return { claims, active: true, expiresAt, freshUntil };
  }
  return { claims, active: true, expiresAt: freshUntil };
}

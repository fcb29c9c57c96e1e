/** @module cache: bounded LRU with TTL, single-flight, hashed keys. */
export { cacheKey, keyPrefix, tokenFingerprint } from './key.ts';
export { LruCache, type LruCacheOptions } from './lru-cache.ts';
export { SingleFlight } from './single-flight.ts';
export type { CachedAnswer, CacheEvents, TokenCache } from './types.ts';

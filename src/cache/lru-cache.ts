/**
 * @module cache/lru-cache
 * The in-process `TokenCache`: a bounded LRU with a TTL per entry, on one `Map` (insertion order is the
 * recency order). Every operation is O(1) and synchronous, so a cache hit never waits on a microtask.
 *
 * A hit moves its entry to the young end only when the entry has drifted into the older half (more than
 * maxEntries/2 insertions since it was last placed): a hot entry is still never evicted, and the common hit
 * costs one Map lookup instead of a delete and a re-insert.
 *
 * Revocation events select entries by key prefix (`deleteByPrefix`) or by claims (`evictMatching`); both
 * scan the slots once, O(entries), which is rare work next to the hits they leave untouched.
 */
import type { Claims } from '../claims/types.ts';
import type { CachedAnswer, CacheEvents, EvictionMatch, TokenCache } from './types.ts';

interface Slot {
  readonly answer: CachedAnswer;
  /** Epoch ms after which the slot is dead: min(answer.expiresAt, set time + ttl). */
  readonly deadline: number;
  /** Insertion count when the slot was last placed at the young end. */
  stamp: number;
}

export interface LruCacheOptions {
  /** Upper bound on entries; the least recently used entry goes first. */
  maxEntries: number;
  /** Name for metrics (`cache` label). */
  name?: string;
  events?: CacheEvents;
  now?: () => number;
}

export class LruCache implements TokenCache {
  readonly #slots = new Map<string, Slot>();
  readonly #maxEntries: number;
  readonly #name: string;
  readonly #events: CacheEvents | undefined;
  readonly #now: () => number;
  readonly synchronous = true;
  /** Placements so far; `stamp` values come from it. */
  #placements = 0;

  constructor(options: LruCacheOptions) {
    this.#maxEntries = options.maxEntries;
    this.#name = options.name ?? 'tokens';
    this.#events = options.events;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#slots.size;
  }

  get(key: string): CachedAnswer | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      this.#events?.miss(this.#name);
      return undefined;
    }
    if (slot.deadline <= this.#now()) {
      this.#slots.delete(key);
      this.#events?.miss(this.#name);
      return undefined;
    }
    if (this.#placements - slot.stamp >= this.#maxEntries >> 1) {
      this.#slots.delete(key);
      slot.stamp = ++this.#placements;
      this.#slots.set(key, slot);
    }
    this.#events?.hit(this.#name);
    return slot.answer;
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    if (this.#maxEntries === 0 || ttlMs <= 0) return;
    const deadline = Math.min(answer.expiresAt, this.#now() + ttlMs);
    this.#slots.delete(key);
    this.#slots.set(key, { answer, deadline, stamp: ++this.#placements });
    if (this.#slots.size > this.#maxEntries) {
      const oldest = this.#slots.keys().next().value as string;
      this.#slots.delete(oldest);
      this.#events?.eviction(this.#name);
    }
  }

  /** True when there was an entry. */
  delete(key: string): boolean {
    return this.#slots.delete(key);
  }

  deleteByPrefix(prefixes: readonly string[]): number {
    if (prefixes.length === 0) return 0;
    // Prefixes grouped by length: one slice and one Set lookup per key and length.
    const byLength = new Map<number, Set<string>>();
    for (const prefix of prefixes) {
      const group = byLength.get(prefix.length);
      if (group === undefined) byLength.set(prefix.length, new Set([prefix]));
      else group.add(prefix);
    }
    let deleted = 0;
    for (const key of this.#slots.keys()) {
      for (const [length, group] of byLength) {
        if (group.has(key.slice(0, length))) {
          this.#slots.delete(key);
          deleted++;
          break;
        }
      }
    }
    return deleted;
  }

  evictMatching(match: EvictionMatch): number {
    const jtis = new Set(match.jtis ?? []);
    if (jtis.size === 0 && !match.subject && !match.clientId) return 0;
    let deleted = 0;
    for (const [key, slot] of this.#slots) {
      if (matches(slot.answer.claims, match, jtis)) {
        this.#slots.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  clear(): void {
    this.#slots.clear();
  }
}

/**
 * Whether an answer falls under a revocation. A `jti` matches whatever the issuer (it is unique per issuer,
 * and evicting more only costs a refetch); subject and client (`client_id`, or `azp` as `buildPrincipal`
 * reads it) match within `match.issuer` when both the match and the answer name an issuer.
 */
function matches(claims: Claims, match: EvictionMatch, jtis: ReadonlySet<string>): boolean {
  if (typeof claims.jti === 'string' && jtis.has(claims.jti)) return true;
  if (!match.subject && !match.clientId) return false;
  if (match.issuer && typeof claims.iss === 'string' && claims.iss !== match.issuer) return false;
  if (match.subject && claims.sub === match.subject) return true;
  return Boolean(match.clientId) && (claims.client_id === match.clientId || claims.azp === match.clientId);
}

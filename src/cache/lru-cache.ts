/**
 * @module cache/lru-cache
 * The in-process `TokenCache`: a bounded LRU with a TTL per entry, on one `Map` (insertion order is the
 * recency order). Every operation is O(1) and synchronous, so a cache hit never waits on a microtask.
 *
 * A hit moves its entry to the young end only when the entry has drifted into the older half (more than
 * maxEntries/2 insertions since it was last placed): a hot entry is still never evicted, and the common hit
 * costs one Map lookup instead of a delete and a re-insert.
 */
import type { CachedAnswer, CacheEvents, TokenCache } from './types.ts';

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

  delete(key: string): void {
    this.#slots.delete(key);
  }

  clear(): void {
    this.#slots.clear();
  }
}

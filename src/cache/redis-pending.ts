/**
 * @module cache/redis-pending
 * Invalidations the shared cache could not send to Redis while it was unavailable, replayed once it is back.
 *
 * Losing a `set` only costs a later miss; losing a `delete` or an eviction after a revocation would let
 * Redis serve the revoked answer to every replica until its TTL ends. So deletes, evictions and clears made
 * while Redis is unreachable are remembered, bounded: past the bounds they collapse into one "clear
 * everything under the prefix", which over-invalidates (a few extra misses) but never forgets one.
 */
import type { EvictionMatch } from './types.ts';

export interface PendingInvalidationsOptions {
  /** Keys remembered before collapsing into a clear. */
  maxKeys?: number;
  /** Evictions remembered before collapsing into a clear. */
  maxMatches?: number;
}

/** What to replay: a clear of the whole prefix, or exact keys, key prefixes and evictions. */
export interface PendingBatch {
  readonly clear: boolean;
  readonly keys: readonly string[];
  readonly prefixes: readonly string[];
  readonly matches: readonly EvictionMatch[];
}

export class PendingInvalidations {
  readonly #maxKeys: number;
  readonly #maxMatches: number;
  #clear = false;
  #keys = new Set<string>();
  #prefixes = new Set<string>();
  #matches: EvictionMatch[] = [];

  constructor({ maxKeys = 10_000, maxMatches = 1_000 }: PendingInvalidationsOptions = {}) {
    this.#maxKeys = maxKeys;
    this.#maxMatches = maxMatches;
  }

  get empty(): boolean {
    return !this.#clear && this.#keys.size === 0 && this.#prefixes.size === 0 && this.#matches.length === 0;
  }

  delete(key: string): void {
    if (this.#clear) return;
    this.#keys.add(key);
    if (this.#keys.size + this.#prefixes.size > this.#maxKeys) this.clear();
  }

  /** Every key starting with `prefix`; counted with the keys. */
  deletePrefix(prefix: string): void {
    if (this.#clear) return;
    this.#prefixes.add(prefix);
    if (this.#keys.size + this.#prefixes.size > this.#maxKeys) this.clear();
  }

  evict(match: EvictionMatch): void {
    if (this.#clear) return;
    this.#matches.push(match);
    if (this.#matches.length > this.#maxMatches) this.clear();
  }

  /** Everything under the prefix must go: supersedes every key and eviction. */
  clear(): void {
    this.#clear = true;
    this.#keys = new Set();
    this.#prefixes = new Set();
    this.#matches = [];
  }

  /** Hands over what is pending and forgets it (a failed replay adds it back). */
  take(): PendingBatch {
    const batch = {
      clear: this.#clear,
      keys: [...this.#keys],
      prefixes: [...this.#prefixes],
      matches: this.#matches,
    };
    this.#clear = false;
    this.#keys = new Set();
    this.#prefixes = new Set();
    this.#matches = [];
    return batch;
  }

  /** Puts back a batch whose replay failed. */
  restore(batch: PendingBatch): void {
    if (batch.clear) {
      this.clear();
      return;
    }
    for (const key of batch.keys) this.delete(key);
    for (const prefix of batch.prefixes) this.deletePrefix(prefix);
    for (const match of batch.matches) this.evict(match);
  }
}

/**
 * @module idp/endpoints/rate-limit
 * Per-caller token buckets for the introspection and revocation endpoints. RFC 7662 §4 warns that an
 * unthrottled introspection endpoint lets an authenticated caller "poll a series of possible token values,
 * fishing for a valid token", and RFC 7009 §5 requires DoS countermeasures on revocation. Each caller
 * identity (client, user, static token) gets `burst` requests at once, refilled at `perMinute` / 60 per
 * second; an empty bucket answers 429 `slow_down` with `Retry-After` (seconds until one request is allowed).
 */
import { oauthError } from '../../errors/tokenguard-error.ts';

export interface RateLimitOptions {
  /** Requests per minute per caller; 0 = no limit. */
  perMinute: number;
  burst: number;
  /** Clock, epoch milliseconds. */
  now?: () => number;
  /** Most callers tracked; full buckets are dropped first (they carry no state). Default 100,000. */
  maxCallers?: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #maxCallers: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    this.#perMs = options.perMinute / 60_000;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
    this.#maxCallers = options.maxCallers ?? 100_000;
  }

  /** Takes one request from `caller`'s bucket; throws 429 `slow_down` when it is empty. */
  take(caller: string): void {
    if (this.#perMs === 0) return;
    const now = this.#now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.#burst, updated: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.updated) * this.#perMs);
    bucket.updated = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(caller, bucket);
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
      throw oauthError('slow_down', 'Too many requests from this caller.', {
        retryAfter,
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    bucket.tokens -= 1;
    if (!this.#buckets.has(caller) && this.#buckets.size >= this.#maxCallers) this.#evict(now);
    this.#buckets.set(caller, bucket);
  }

  /** Drops buckets that have refilled (indistinguishable from new ones), else the oldest. */
  #evict(now: number): void {
    for (const [caller, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updated) * this.#perMs >= this.#burst) this.#buckets.delete(caller);
    }
    if (this.#buckets.size >= this.#maxCallers) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
  }
}

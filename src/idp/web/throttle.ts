/**
 * @module idp/web/throttle
 * Brute-force protection of interactive sign-in (RFC 6749 §10.10 / OWASP Authentication: limit failed
 * attempts): after a number of free failures, every further failure doubles a waiting period, per account
 * and per client IP, up to a cap. An attempt while either is waiting is refused before any password check
 * (429 with `Retry-After`). Per account stops guessing one user's password from many addresses; per IP
 * stops one address from spraying many accounts.
 *
 * Back-off, not lockout: the wait is capped (default 15 minutes) and counts are forgotten after a quiet
 * period, so an attacker can only delay a victim, never lock the account for good. A success clears the
 * account's count (not the address's: one good password must not reset a sprayer's count).
 *
 * Memory is bounded (`maxEntries`, oldest dropped first), in-process: replicas each count on their own.
 */

export interface SignInThrottleOptions {
  /** Failures per account before waiting starts; default 5. */
  accountFreeFailures?: number;
  /** Failures per IP before waiting starts; default 20 (shared addresses: NAT, proxies). */
  ipFreeFailures?: number;
  /** First wait; default 1 s, doubled per further failure. */
  baseDelayMs?: number;
  /** Longest wait; default 15 min. */
  maxDelayMs?: number;
  /** Counts are forgotten this long after the last failure; default 15 min. */
  forgetAfterMs?: number;
  /** Most accounts and addresses tracked; default 100,000. */
  maxEntries?: number;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** Seconds until an attempt is allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

export class SignInThrottle {
  readonly #accountFree: number;
  readonly #ipFree: number;
  readonly #base: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: SignInThrottleOptions = {}) {
    this.#accountFree = options.accountFreeFailures ?? 5;
    this.#ipFree = options.ipFreeFailures ?? 20;
    this.#base = options.baseDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 15 * 60_000;
    this.#forget = options.forgetAfterMs ?? 15 * 60_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether an attempt for `account` from `ip` may be checked now. */
  check(account: string, ip: string): ThrottleDecision {
    const now = this.#now();
    const until = Math.max(
      this.#live(`a:${account}`, now)?.blockedUntil ?? 0,
      this.#live(`i:${ip}`, now)?.blockedUntil ?? 0,
    );
    if (until <= now) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** Records a failed attempt. */
  failure(account: string, ip: string): void {
    const now = this.#now();
    this.#record(`a:${account}`, this.#accountFree, now);
    this.#record(`i:${ip}`, this.#ipFree, now);
  }

  /** Records a successful sign-in: the account's failures are forgotten. */
  success(account: string, _ip: string): void {
    this.#entries.delete(`a:${account}`);
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && now - entry.lastFailure >= this.#forget && entry.blockedUntil <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #record(key: string, free: number, now: number): void {
    const entry = this.#live(key, now) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const beyond = entry.failures - free;
    if (beyond > 0)
      entry.blockedUntil = now + Math.min(this.#max, this.#base * 2 ** Math.min(beyond - 1, 30));
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }
}

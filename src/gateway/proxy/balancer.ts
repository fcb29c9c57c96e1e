/**
 * @module gateway/proxy/balancer
 * Round-robin over an upstream's URLs with passive health checks (as nginx `max_fails`/`fail_timeout` and
 * Traefik's passive checks): transport failures are counted per URL; after `unhealthyAfterFailures`
 * consecutive ones the URL is skipped for `unhealthyCooldownMs`. When the cooldown has passed, one request
 * is let through as a probe (the cooldown restarts at once, so a burst does not all land on a URL that may
 * still be down); its success makes the URL healthy again, its failure keeps it out for another cooldown.
 * With every URL out, the one whose cooldown ends first is tried anyway: a proxy that refuses without
 * trying turns a short outage into a longer one.
 */

/** Health bookkeeping of one URL. */
export interface Member<T> {
  readonly target: T;
  /** Consecutive transport failures. */
  failures: number;
  /** Until when (clock ms) the URL is skipped; 0 when healthy. */
  skipUntil: number;
}

export interface BalancerOptions<T> {
  readonly unhealthyAfterFailures: number;
  readonly unhealthyCooldownMs: number;
  /** Clock in ms (injectable for tests). */
  readonly now: () => number;
  /** Called when a URL goes out of rotation (`false`) or comes back after a success (`true`). */
  readonly onHealthChange?: (target: T, healthy: boolean) => void;
}

export class Balancer<T> {
  readonly members: readonly Member<T>[];
  readonly #options: BalancerOptions<T>;
  #next = 0;

  constructor(targets: readonly T[], options: BalancerOptions<T>) {
    if (targets.length === 0) throw new Error('an upstream needs at least one URL');
    this.members = targets.map((target) => ({ target, failures: 0, skipUntil: 0 }));
    this.#options = options;
  }

  /**
   * The next URL to try, skipping those in `tried` (already failed for this request); undefined when
   * every URL was tried.
   */
  pick(tried?: ReadonlySet<T>): Member<T> | undefined {
    const members = this.members;
    const count = members.length;
    const start = this.#next;
    this.#next = (start + 1) % count;
    if (count === 1) return tried?.has(members[0].target) ? undefined : this.#admit(members[0]);
    const now = this.#options.now();
    let fallback: Member<T> | undefined;
    for (let i = 0; i < count; i++) {
      const member = members[(start + i) % count];
      if (tried?.has(member.target)) continue;
      if (member.skipUntil <= now) {
        this.#next = (start + i + 1) % count;
        return this.#admit(member, now);
      }
      if (fallback === undefined || member.skipUntil < fallback.skipUntil) fallback = member;
    }
    return fallback === undefined ? undefined : this.#admit(fallback, now);
  }

  /** A response arrived: the URL is healthy. */
  succeeded(member: Member<T>): void {
    const wasOut = member.failures >= this.#options.unhealthyAfterFailures;
    member.failures = 0;
    member.skipUntil = 0;
    if (wasOut) this.#options.onHealthChange?.(member.target, true);
  }

  /** A transport failure (connect error, timeout, broken connection) of the URL. */
  failed(member: Member<T>): void {
    member.failures++;
    if (member.failures >= this.#options.unhealthyAfterFailures) {
      const first = member.failures === this.#options.unhealthyAfterFailures;
      member.skipUntil = this.#options.now() + this.#options.unhealthyCooldownMs;
      if (first) this.#options.onHealthChange?.(member.target, false);
    }
  }

  /** Whether the URL is in rotation now. */
  isHealthy(member: Member<T>): boolean {
    return member.skipUntil <= this.#options.now();
  }

  /** A member out of rotation is let through as a probe: its cooldown restarts, so it gets only one. */
  #admit(member: Member<T>, now = this.#options.now()): Member<T> {
    if (member.failures >= this.#options.unhealthyAfterFailures) {
      member.skipUntil = now + this.#options.unhealthyCooldownMs;
    }
    return member;
  }
}

/**
 * @module events/backoff
 * Reconnection delays: exponential from `initialDelayMs`, capped at `maxDelayMs`, with "equal jitter" (each
 * delay drawn uniformly from its upper half). The jitter keeps the replicas of a deployment, all cut off by
 * one Redis or IdP restart, from reconnecting in lockstep; keeping the lower half means a delay never
 * collapses to zero, so a dead server is not hammered.
 */

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Uniform random number in [0, 1); tests inject one. */
  random?: () => number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#initialMs = Math.max(1, options.initialDelayMs);
    this.#maxMs = Math.max(this.#initialMs, options.maxDelayMs);
    this.#random = options.random ?? Math.random;
  }

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt, in milliseconds; each call counts one more failed attempt. */
  next(): number {
    // 2^30 already exceeds any sensible cap; the bound keeps the power finite.
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** A connection succeeded: the next failure starts again from the initial delay. */
  reset(): void {
    this.#attempt = 0;
  }
}

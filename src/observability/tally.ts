/**
 * @module observability/tally
 * Counting on hot paths without prom-client's per-call cost.
 */
import type { Counter } from 'prom-client';

/**
 * A count kept as a plain number on the hot path and handed to its prom-client counter when the registry
 * collects (a scrape, the console's figures): prom-client's `inc` hashes and validates the labels on every
 * call, even through a bound child.
 */
export class Tally {
  readonly labels: Record<string, string>;
  count = 0;
  #reported = 0;

  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }

  /** Adds what was counted since the last collection to `counter`. */
  report(counter: Counter): void {
    if (this.count === this.#reported) return;
    counter.inc(this.labels, this.count - this.#reported);
    this.#reported = this.count;
  }
}

/** Tallies by one label's value, made on first use (label values must come from a bounded set). */
export class TallyMap {
  readonly #label: string;
  readonly #tallies = new Map<string, Tally>();

  constructor(label: string) {
    this.#label = label;
  }

  /** Counts one for `value`. */
  add(value: string): void {
    let tally = this.#tallies.get(value);
    if (tally === undefined) {
      tally = new Tally({ [this.#label]: value });
      this.#tallies.set(value, tally);
    }
    tally.count++;
  }

  /** Adds what was counted since the last collection to `counter` (call it from the counter's `collect`). */
  report(counter: Counter): void {
    for (const tally of this.#tallies.values()) tally.report(counter);
  }
}

/**
 * @module cache/single-flight
 * Concurrent misses for one key make one upstream call: later callers join the promise of the first.
 * The entry is removed when the call settles, so a failure is never served to later callers.
 */

export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Runs `work` unless a call for `key` is already in flight, in which case joins it. */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#inFlight.size;
  }
}

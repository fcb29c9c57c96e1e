/**
 * @module test/events/support/eventually
 * Polling with a deadline instead of fixed sleeps: events travel asynchronously (Redis, an SSE stream), so a
 * test waits until what it expects is true, and fails with the last reason when the deadline passes.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves with the first truthy result of `probe`; rejects with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(20);
  }
}

/**
 * @module test/reliability/support/load
 * A bounded load for the restart scenarios: `workers` loops each running `step` until `stop()`, every
 * outcome recorded (what, status, when), and whatever a step throws kept as a failure of the run instead
 * of an unhandled rejection. `eventually` polls a condition with a generous deadline: recovery is checked
 * as "happens", never as "happens within N ms" (the machine is shared and noisy).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Outcome {
  readonly what: string;
  readonly status: number;
  readonly at: number;
}

export interface Load {
  readonly outcomes: Outcome[];
  readonly failures: unknown[];
  /** Stops the workers and resolves once every one has finished its step. */
  stop(): Promise<void>;
}

export function startLoad(workers: number, step: (worker: number) => Promise<Outcome | undefined>): Load {
  const outcomes: Outcome[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (running) {
      try {
        const outcome = await step(worker);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        failures.push(error);
        await sleep(10);
      }
    }
  });
  return {
    outcomes,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Resolves once `condition` holds; rejects with `what` after `timeoutMs` (default 20 s). */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(50);
  }
}

/**
 * Asserts that the load ran without a thrown step and with no status outside `allowed`; returns the
 * counts of each status, for the figures.
 */
export function assertOnly(load: Load, allowed: readonly number[], what: string): Record<number, number> {
  assert.deepEqual(load.failures, [], 'every request was answered');
  const counts = statusCounts(load.outcomes);
  const others = Object.keys(counts).filter((status) => !allowed.includes(Number(status)));
  assert.deepEqual(others, [], `${what}: ${JSON.stringify(counts)}`);
  return counts;
}

/** Counts of each status among `outcomes` whose `what` matches. */
export function statusCounts(outcomes: readonly Outcome[], what?: string): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const outcome of outcomes) {
    if (what !== undefined && outcome.what !== what) continue;
    counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  }
  return counts;
}

/**
 * @module events/backoff.test
 * Reconnection delays double from the initial delay up to the cap, stay within their upper half (equal
 * jitter), and start over after a success.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles up to the cap, within [ceiling/2, ceiling]', () => {
    const low = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    assert.deepEqual(
      Array.from({ length: 6 }, () => low.next()),
      [50, 100, 200, 400, 500, 500],
    );
    assert.deepEqual(
      Array.from({ length: 6 }, () => high.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(low.attempts, 6);
  });

  it('starts again from the initial delay after reset, and never overflows', () => {
    const backoff = new Backoff({ initialDelayMs: 10, maxDelayMs: 60_000, random: () => 0.5 });
    for (let i = 0; i < 2000; i++) assert.ok(Number.isFinite(backoff.next()));
    assert.equal(backoff.next(), 45_000);
    backoff.reset();
    assert.equal(backoff.next(), 8);
  });
});

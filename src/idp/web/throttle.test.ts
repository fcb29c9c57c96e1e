/**
 * @module idp/web/throttle.test
 * Sign-in back-off: free failures, doubling waits per account and per IP, the cap, forgetting, success.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInThrottle } from './throttle.ts';

function throttle(maxEntries?: number) {
  let now = 0;
  const limiter = new SignInThrottle({
    accountFreeFailures: 3,
    ipFreeFailures: 5,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    forgetAfterMs: 60_000,
    maxEntries,
    now: () => now,
  });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('SignInThrottle', () => {
  it('allows the free failures, then doubles the wait per failure up to the cap', () => {
    const { limiter, advance } = throttle();
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.check('alice', 'ip1').allowed, true);
      limiter.failure('alice', 'ip1');
    }
    assert.deepEqual(limiter.check('alice', 'ip1'), { allowed: true, retryAfterSeconds: 0 });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      limiter.failure('alice', `ip-${i + 2}`);
      waits.push(limiter.check('alice', 'other').retryAfterSeconds);
      advance(waits[i] * 1000);
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 8]);
  });

  it('throttles per IP across accounts', () => {
    const { limiter } = throttle();
    for (let i = 0; i < 6; i++) limiter.failure(`user${i}`, 'sprayer');
    assert.equal(limiter.check('fresh-user', 'sprayer').allowed, false);
    assert.equal(limiter.check('fresh-user', 'elsewhere').allowed, true);
  });

  it('success clears the account, and counts are forgotten after a quiet period', () => {
    const { limiter, advance } = throttle();
    for (let i = 0; i < 4; i++) limiter.failure('bob', `ip${i}`);
    assert.equal(limiter.check('bob', 'x').allowed, false);
    limiter.success('bob', 'x');
    assert.equal(limiter.check('bob', 'x').allowed, true);
    for (let i = 0; i < 4; i++) limiter.failure('carol', `ip${i}`);
    advance(60_000);
    limiter.failure('carol', 'ipz');
    assert.equal(limiter.check('carol', 'x').allowed, true, 'the old failures were forgotten');
  });

  it('keeps memory bounded', () => {
    const { limiter } = throttle(4);
    for (let i = 0; i < 4; i++) limiter.failure('dave', `ip${i}`);
    for (let i = 0; i < 10; i++) limiter.failure(`u${i}`, 'ipq');
    assert.equal(limiter.check('dave', 'x').allowed, true, 'dave was evicted');
  });
});

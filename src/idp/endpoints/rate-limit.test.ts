/**
 * @module idp/endpoints/rate-limit.test
 * Token buckets with an injected clock: burst, refill, Retry-After, independence of callers, bounded memory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { RateLimiter } from './rate-limit.ts';

function limited(take: () => void): TokenguardError {
  try {
    take();
  } catch (error) {
    assert.ok(error instanceof TokenguardError);
    return error;
  }
  return assert.fail('expected 429');
}

describe('RateLimiter', () => {
  it('allows the burst, then 429 slow_down with Retry-After until a token refills', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2, now: () => now });
    limiter.take('a');
    limiter.take('a');
    const error = limited(() => limiter.take('a'));
    assert.equal(error.code, 'slow_down');
    assert.equal(error.httpStatus, 429);
    assert.equal(error.headers['retry-after'], '1');
    limiter.take('b');
    now = 1000;
    limiter.take('a');
    assert.equal(limited(() => limiter.take('a')).code, 'slow_down');
  });

  it('Retry-After rounds up to whole seconds at slow rates', () => {
    const limiter = new RateLimiter({ perMinute: 2, burst: 1, now: () => 0 });
    limiter.take('a');
    assert.equal(limited(() => limiter.take('a')).headers['retry-after'], '30');
  });

  it('perMinute 0 disables it', () => {
    const limiter = new RateLimiter({ perMinute: 0, burst: 1 });
    for (let index = 0; index < 100; index++) limiter.take('a');
  });

  it('keeps at most maxCallers buckets, dropping refilled ones first', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, now: () => now, maxCallers: 2 });
    limiter.take('a');
    limiter.take('b');
    now = 5000;
    limiter.take('c');
    // 'a' and 'b' had refilled and were dropped: both start full again.
    limiter.take('a');
    limiter.take('b');
    assert.equal(limited(() => limiter.take('b')).code, 'slow_down');
  });
});

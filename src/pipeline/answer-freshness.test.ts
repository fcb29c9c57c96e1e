/**
 * @module pipeline/answer-freshness.test
 * Freshness of cached introspection answers: Kong's min / max / default bounds, never past exp, and the
 * stale window of `staleIfError`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FreshnessBounds, freshAnswer } from './answer-freshness.ts';

const NOW = 1_900_000_000_000;
const bounds = (extra: Partial<FreshnessBounds> = {}): FreshnessBounds => ({
  minTtlMs: 0,
  maxTtlMs: 60_000,
  defaultTtlMs: 60_000,
  staleIfErrorMs: 0,
  ...extra,
});
const expIn = (ms: number) => ({ active: true, exp: (NOW + ms) / 1000 });

describe('freshAnswer', () => {
  it('is fresh until min(exp, now + ttl), with no freshUntil when nothing stale is kept (as before)', () => {
    assert.deepEqual(freshAnswer(expIn(10_000), NOW, bounds()), {
      claims: expIn(10_000),
      active: true,
      expiresAt: NOW + 10_000,
    });
    assert.equal(freshAnswer(expIn(3_600_000), NOW, bounds()).expiresAt, NOW + 60_000);
  });

  it('uses defaultTtl for an answer without exp, clamped to [minTtl, ttl]', () => {
    const noExp = { active: true, sub: 'a' };
    assert.equal(freshAnswer(noExp, NOW, bounds({ defaultTtlMs: 5_000 })).expiresAt, NOW + 5_000);
    assert.equal(
      freshAnswer(noExp, NOW, bounds({ defaultTtlMs: 5_000, minTtlMs: 8_000 })).expiresAt,
      NOW + 8_000,
    );
    assert.equal(freshAnswer(noExp, NOW, bounds({ defaultTtlMs: 600_000 })).expiresAt, NOW + 60_000);
  });

  it('raises a short TTL to minTtl but never keeps an answer past its exp', () => {
    const min = bounds({ minTtlMs: 30_000 });
    assert.equal(freshAnswer(expIn(10_000), NOW, min).expiresAt, NOW + 10_000);
    assert.equal(freshAnswer(expIn(-1_000), NOW, min).expiresAt, NOW - 1_000, 'expired: nothing to cache');
    assert.equal(freshAnswer(expIn(0), NOW, bounds({ maxTtlMs: 0 })).expiresAt, NOW, 'ttl 0: no caching');
  });

  it('with staleIfError keeps an answer with exp past its freshness, until min(exp, fresh end + window)', () => {
    const stale = bounds({ staleIfErrorMs: 120_000 });
    assert.deepEqual(freshAnswer(expIn(3_600_000), NOW, stale), {
      claims: expIn(3_600_000),
      active: true,
      expiresAt: NOW + 180_000,
      freshUntil: NOW + 60_000,
    });
    const soon = freshAnswer(expIn(90_000), NOW, stale);
    assert.deepEqual(
      [soon.freshUntil, soon.expiresAt],
      [NOW + 60_000, NOW + 90_000],
      'the window ends at exp',
    );
    assert.equal(
      freshAnswer(expIn(30_000), NOW, stale).freshUntil,
      undefined,
      'fresh until exp: nothing stale',
    );
    assert.equal(freshAnswer({ active: true }, NOW, stale).freshUntil, undefined, 'no exp: never stale');
  });
});

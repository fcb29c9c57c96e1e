/**
 * @module test/scale-out/shared-cache-gaps.test
 * The two moments a shared (Redis) cache could serve a revoked token although its revocation was heard, each
 * made to happen deterministically on a private Redis (the end-to-end suite only catches them by chance):
 *
 * - an eviction by claims (a revoked JWT's `jti`) reads Redis's index before it deletes; a lookup sent in
 *   between used to find the entry, serve it and keep it in L1 for `l1.ttl`. It must miss.
 * - after a Redis outage, during which revocation events were lost (they travel on the same Redis), an
 *   answer cached before the outage is still in Redis. With `clearOnReconnect` (what `createAuthenticator`
 *   sets when revocation events are on) the cache deletes its keys before serving from Redis again, whoever
 *   of it and the revocation subscriber reconnects first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCache } from '../../src/cache/redis-cache.ts';
import {
  adminClient,
  deleteUnder,
  keysUnder,
  type PrivateRedis,
  startPrivateRedis,
  uniquePrefix,
} from '../../src/cache/test-support/redis-server.ts';
import type { CachedAnswer } from '../../src/cache/types.ts';
import { eventually } from '../events/support/eventually.ts';

const answer = (claims: Record<string, unknown>): CachedAnswer => ({
  claims: { active: true, ...claims },
  active: true,
  expiresAt: Date.now() + 5 * 60_000,
});

describe('the shared cache never serves an entry whose eviction it has begun', () => {
  let redis: PrivateRedis;
  const caches: RedisCache[] = [];
  /** A cache with a key prefix of its own (the keys it wrote are `<prefix>*`). */
  const open = async (options: { clearOnReconnect?: boolean } = {}) => {
    const prefix = uniquePrefix();
    const cache = new RedisCache({ url: redis.url, keyPrefix: prefix, ...options });
    caches.push(cache);
    await cache.whenReady();
    return Object.assign(cache, { prefix });
  };

  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await redis?.close();
  });

  it('misses a lookup sent while an eviction by jti reads the index, and keeps nothing in L1', async () => {
    const cache = await open();
    await cache.set('k.jwt', answer({ jti: 'revoked-jti', iss: 'https://idp' }), 60_000);
    cache.clearLocal(); // as on another replica: the answer is in Redis only
    const evicted = cache.evictMatching({ jtis: ['revoked-jti'], issuer: 'https://idp' });
    const lookup = cache.get('k.jwt'); // sent after the index read, before the delete
    assert.equal(await lookup, undefined);
    assert.equal(await evicted, 1);
    assert.equal(cache.peek('k.jwt'), undefined, 'not kept in L1');
    assert.equal(await cache.get('k.jwt'), undefined);
  });

  it('serves Redis again once the eviction is done', async () => {
    const cache = await open();
    await cache.set('k.other', answer({ jti: 'kept' }), 60_000);
    await cache.evictMatching({ jtis: ['unrelated'] });
    cache.clearLocal();
    assert.equal(((await cache.get('k.other')) as CachedAnswer).claims.jti, 'kept');
  });

  it('with clearOnReconnect, deletes what Redis held before an outage before reading it again', async () => {
    const admin = await adminClient(redis.url);
    try {
      const cache = await open({ clearOnReconnect: true });
      const plain = await open();
      for (const each of [cache, plain]) await each.set('k.opaque', answer({ sub: 'alice' }), 60_000);

      await redis.stop();
      await eventually(
        'both caches degraded',
        () => cache.state === 'degraded' && plain.state === 'degraded',
      );
      await redis.start(); // with its data: the answers are in Redis again
      await cache.whenReady();
      // At once, before its replay could be done: no lookup reaches Redis.
      assert.equal(await cache.get('k.opaque'), undefined);
      await eventually('the keys deleted', async () => (await keysUnder(admin, cache.prefix)).length === 0);

      // Without the option (no revocation events), the answer cached before the outage is served again.
      await plain.whenReady();
      assert.equal(((await plain.get('k.opaque')) as CachedAnswer).claims.sub, 'alice');
      await deleteUnder(admin, plain.prefix);
    } finally {
      admin.disconnect();
    }
  });
});

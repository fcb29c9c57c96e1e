import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, keyPrefix } from './key.ts';
import { LruCache } from './lru-cache.ts';
import { SingleFlight } from './single-flight.ts';
import type { CachedAnswer } from './types.ts';

const answer = (sub: string, expiresAt = Number.MAX_SAFE_INTEGER): CachedAnswer => ({
  claims: { active: true, sub },
  active: true,
  expiresAt,
});

describe('LruCache', () => {
  it('evicts the least recently used entry beyond maxEntries and reports it', () => {
    const events: string[] = [];
    const cache = new LruCache({
      maxEntries: 2,
      name: 'c',
      events: {
        hit: () => events.push('hit'),
        miss: () => events.push('miss'),
        eviction: () => events.push('evict'),
      },
    });
    cache.set('a', answer('a'), 1000);
    cache.set('b', answer('b'), 1000);
    assert.equal(cache.get('a')?.claims.sub, 'a'); // a is now most recent
    cache.set('c', answer('c'), 1000);
    assert.equal(cache.get('b'), undefined, 'b was the least recently used');
    assert.equal(cache.get('a')?.claims.sub, 'a');
    assert.equal(cache.size, 2);
    assert.deepEqual(events, ['hit', 'evict', 'miss', 'hit']);
  });

  it('never evicts an entry that keeps being hit, whatever the churn', () => {
    const cache = new LruCache({ maxEntries: 100 });
    cache.set('hot', answer('hot'), 1e9);
    for (let i = 0; i < 10_000; i++) {
      cache.set(`cold-${i}`, answer('cold'), 1e9);
      if (i % 40 === 0)
        assert.equal(cache.get('hot')?.claims.sub, 'hot', `hot entry lost after ${i} inserts`);
    }
    assert.equal(cache.size, 100);
    assert.equal(cache.get('cold-0'), undefined);
  });

  it('serves an entry until min(ttl, expiresAt) and not after', () => {
    let now = 1_000_000;
    const cache = new LruCache({ maxEntries: 10, now: () => now });
    cache.set('ttl', answer('x'), 500);
    cache.set('exp', answer('y', now + 200), 500);
    now += 199;
    assert.ok(cache.get('ttl') && cache.get('exp'));
    now += 1;
    assert.equal(cache.get('exp'), undefined, 'expiresAt reached');
    assert.ok(cache.get('ttl'));
    now += 300;
    assert.equal(cache.get('ttl'), undefined, 'ttl reached');
    assert.equal(cache.size, 0, 'dead entries are dropped when met');
  });

  it('stores nothing when disabled (maxEntries 0) or with a non-positive TTL', () => {
    const disabled = new LruCache({ maxEntries: 0 });
    disabled.set('k', answer('k'), 1000);
    assert.equal(disabled.get('k'), undefined);
    const cache = new LruCache({ maxEntries: 5 });
    cache.set('k', answer('k'), 0);
    assert.equal(cache.size, 0);
  });

  it('deletes and clears', () => {
    const cache = new LruCache({ maxEntries: 5 });
    cache.set('a', answer('a'), 1000);
    cache.set('b', answer('b'), 1000);
    assert.equal(cache.delete('a'), true, 'tells that there was an entry');
    assert.equal(cache.delete('a'), false);
    assert.equal(cache.get('a'), undefined);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('keeps freshUntil with the answer', () => {
    const cache = new LruCache({ maxEntries: 5 });
    cache.set('k', { ...answer('k', 10_000_000_000_000), freshUntil: 123 }, 1000);
    assert.equal(cache.get('k')?.freshUntil, 123);
  });
});

describe('LruCache eviction for revocation events', () => {
  /** One cache holding keys of two prefixes, with and without a forwarded-values digest. */
  function filled() {
    const cache = new LruCache({ maxEntries: 100 });
    for (const key of ['P.h1', 'P.h1.d1', 'P.h1.d2', 'P.h10', 'P.h2', 'P.h2.d1', 'Q.h1', 'Q.h1.d1']) {
      cache.set(key, answer(key), 1000);
    }
    return cache;
  }

  it('deletes by key prefix, for keys that carry a digest after the token hash', () => {
    const cache = filled();
    assert.equal(cache.deleteByPrefix(['P.h1.', 'Q.h1.']), 3);
    assert.equal(cache.deleteByPrefix([]), 0);
    assert.ok(
      cache.get('P.h1') && cache.get('P.h10') && cache.get('Q.h1'),
      'exact keys and longer hashes stay',
    );
    assert.equal(cache.get('P.h1.d2'), undefined);
    assert.equal(cache.deleteByPrefix(['P.', 'Q.h1']), 5, 'prefixes of different lengths in one pass');
    assert.equal(cache.size, 0);
  });

  const claimsEntry = (claims: CachedAnswer['claims']): CachedAnswer => ({
    claims,
    active: true,
    expiresAt: Number.MAX_SAFE_INTEGER,
  });

  it('evicts by jti whatever the issuer, and by subject or client within the issuer', () => {
    const cache = new LruCache({ maxEntries: 100 });
    const entries: Record<string, CachedAnswer['claims']> = {
      jti: { jti: 'j1', iss: 'https://other', sub: 'x' },
      alice: { sub: 'alice', iss: 'https://idp' },
      aliceElsewhere: { sub: 'alice', iss: 'https://other' },
      aliceNoIssuer: { sub: 'alice' },
      client: { client_id: 'app', iss: 'https://idp' },
      azp: { azp: 'app', iss: 'https://idp' },
      bob: { sub: 'bob', client_id: 'web', iss: 'https://idp' },
    };
    for (const [key, claims] of Object.entries(entries)) cache.set(key, claimsEntry(claims), 1000);
    cache.set(
      'negative',
      { claims: { active: false }, active: false, expiresAt: Number.MAX_SAFE_INTEGER },
      1000,
    );

    assert.equal(cache.evictMatching({}), 0, 'an empty match evicts nothing');
    assert.equal(cache.evictMatching({ jtis: ['j1'], issuer: 'https://idp' }), 1);
    assert.equal(cache.get('jti'), undefined);
    assert.equal(cache.evictMatching({ subject: 'alice', issuer: 'https://idp' }), 2);
    assert.ok(cache.get('aliceElsewhere'), 'another issuer keeps its alice');
    assert.equal(cache.get('aliceNoIssuer'), undefined, 'an answer naming no issuer matches');
    assert.equal(cache.evictMatching({ clientId: 'app' }), 2, 'client_id or azp');
    assert.equal(cache.evictMatching({ subject: 'alice' }), 1, 'no issuer in the match: any issuer');
    assert.deepEqual(
      [cache.get('bob')?.claims.sub, cache.get('negative')?.active, cache.size],
      ['bob', false, 2],
    );
  });
});

describe('cacheKey', () => {
  it('differs by namespace and by token, and never contains the token', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';
    const idpA = keyPrefix('https://idp-a/introspect|basic:svc');
    const a = cacheKey(idpA, token);
    assert.notEqual(a, cacheKey(keyPrefix('https://idp-b/introspect|basic:svc'), token));
    assert.notEqual(a, cacheKey(idpA, `${token}x`));
    assert.equal(a, cacheKey(keyPrefix('https://idp-a/introspect|basic:svc'), token));
    assert.match(a, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.ok(!a.includes('payload'));
  });
});

describe('SingleFlight', () => {
  it('joins concurrent calls for one key and forgets the call once it settles', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    const work = async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      return calls;
    };
    const results = await Promise.all([
      flight.run('k', work),
      flight.run('k', work),
      flight.run('other', work),
    ]);
    assert.equal(calls, 2);
    assert.equal(results[0], results[1]);
    assert.equal(flight.size, 0);
  });

  it('does not keep a failure for later callers', async () => {
    const flight = new SingleFlight<string>();
    await assert.rejects(
      flight.run('k', () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await flight.run('k', async () => 'ok'), 'ok');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closedPortUrl } from '../../test/support/loopback.ts';
import { capturedLogger } from '../pipeline/test-support/pipeline-fixtures.ts';
import { cacheKey, keyPrefix } from './key.ts';
import { RedisCache, type RedisCacheOptions, type RedisCacheState } from './redis-cache.ts';
import type { RedisClient } from './redis-client.ts';
import {
  adminClient,
  commandCalls,
  deleteUnder,
  keysUnder,
  type PrivateRedis,
  SHARED_REDIS_URL,
  startPrivateRedis,
  uniquePrefix,
} from './test-support/redis-server.ts';
import type { CachedAnswer } from './types.ts';

const HOUR = 3_600_000;
const ISSUER_A = 'https://idp-a.example';
const ISSUER_B = 'https://idp-b.example';

function answer(claims: Record<string, unknown>, ttlMs = HOUR): CachedAnswer {
  return { claims: { active: true, ...claims }, active: true, expiresAt: Date.now() + ttlMs };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

/** Resolves once `cache` is in `state` (at once if it is). */
function stateOf(cache: RedisCache, state: RedisCacheState): Promise<void> {
  if (cache.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = cache.onStateChange((now) => {
      if (now !== state) return;
      stop();
      resolve();
    });
  });
}

/** Runs `probe` until it returns true; for what only a later command can show (a paused Redis is back). */
async function eventually(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('RedisCache', () => {
  let admin: RedisClient;
  const prefix = uniquePrefix();
  const otherPrefix = uniquePrefix();
  const open: RedisCache[] = [];
  const cache = (options: Partial<RedisCacheOptions> = {}) => {
    const created = new RedisCache({ url: SHARED_REDIS_URL, keyPrefix: prefix, ...options });
    open.push(created);
    return created;
  };
  const ready = async (options: Partial<RedisCacheOptions> = {}) => {
    const created = cache(options);
    await created.whenReady();
    return created;
  };

  before(async () => {
    admin = await adminClient(SHARED_REDIS_URL);
  });
  after(async () => {
    await Promise.all(open.map((created) => created.close()));
    await deleteUnder(admin, prefix);
    await deleteUnder(admin, otherPrefix);
    admin.disconnect();
  });

  it('stores the answer JSON as it is, with a Redis TTL no longer than the answer lives', async () => {
    const replica = await ready();
    const stored: CachedAnswer = {
      ...answer({ sub: 'alice', scope: [{ rn: 'svc', role: 'admin' }] }, 30_000),
      freshUntil: Date.now() + 10_000,
    };
    await replica.set('ttl-by-expiry', stored, HOUR);
    assert.deepEqual(JSON.parse((await admin.get(`${prefix}ttl-by-expiry`))!), stored);
    const byExpiry = await admin.pttl(`${prefix}ttl-by-expiry`);
    assert.ok(byExpiry > 0 && byExpiry <= 30_000, `PTTL ${byExpiry} within the answer's 30 s`);

    await replica.set('ttl-by-ttl', answer({ sub: 'alice' }), 10_000);
    const byTtl = await admin.pttl(`${prefix}ttl-by-ttl`);
    assert.ok(byTtl > 0 && byTtl <= 10_000, `PTTL ${byTtl} within the 10 s asked`);

    await replica.set('expired', answer({ sub: 'alice' }, -1), HOUR);
    assert.equal(await admin.exists(`${prefix}expired`), 0, 'an expired answer is not stored');
  });

  it('serves another replica from Redis, then from its L1 synchronously', async () => {
    const first = await ready();
    const second = await ready();
    const stored = answer({ sub: 'bob', client_id: 'web' });
    await first.set('shared', stored, HOUR);
    assert.equal(second.peek('shared'), undefined, 'not in the second L1 yet');

    const fetched = second.get('shared');
    assert.ok(isPromise(fetched), 'an L1 miss asks Redis');
    const fromRedis = await fetched;
    assert.deepEqual(fromRedis, stored);

    const again = second.get('shared');
    assert.ok(!isPromise(again), 'an L1 hit answers without a promise');
    assert.equal(again, fromRedis);
    assert.equal(second.peek('shared'), fromRedis);
    assert.equal(second.size, 1);
    assert.equal(second.synchronous, false);
    assert.equal(await second.get('never-set'), undefined);
  });

  it('keeps raw tokens out of Redis keys and values', async () => {
    const replica = await ready();
    const token = 'opaque-token-b1a4e2f0-9c1d-4e5f-8a7b-secret';
    const key = cacheKey(keyPrefix('introspection|https://idp.example/introspect'), token);
    await replica.set(key, answer({ sub: 'carol', jti: 'j-carol', client_id: 'svc', iss: ISSUER_A }), HOUR);
    const keys = await keysUnder(admin, prefix);
    assert.ok(keys.includes(`${prefix}${key}`));
    for (const stored of keys) {
      assert.ok(!stored.includes(token) && !stored.includes('carol'), `key ${stored}`);
      const type = await admin.type(stored);
      const values = type === 'set' ? await admin.smembers(stored) : [(await admin.get(stored)) ?? ''];
      for (const value of values) assert.ok(!value.includes(token), `value of ${stored}`);
    }
  });

  it('deletes from L1 and Redis, and clears only the keys under its prefix', async () => {
    const first = await ready();
    const second = await ready();
    const other = await ready({ keyPrefix: otherPrefix });
    await first.set('gone', answer({ sub: 'dave' }), HOUR);
    await first.set('kept', answer({ sub: 'erin' }), HOUR);
    await other.set('elsewhere', answer({ sub: 'frank' }), HOUR);

    assert.equal(await second.delete('gone'), true);
    assert.equal(await admin.exists(`${prefix}gone`), 0);
    assert.equal(await second.delete('gone'), false, 'nothing left to delete');
    assert.deepEqual(await second.get('kept'), first.peek('kept'));

    await first.clear();
    assert.equal(first.size, 0);
    assert.deepEqual(await keysUnder(admin, prefix), []);
    assert.equal(await admin.exists(`${otherPrefix}elsewhere`), 1, 'another prefix is left alone');
    assert.ok(await other.get('elsewhere'));
  });

  it('evicts by jti, subject and client through the index sets, across replicas', async () => {
    const writer = await ready();
    const evictor = await ready();
    await writer.set('k1', answer({ jti: 'j1', sub: 'alice', iss: ISSUER_A, client_id: 'c1' }), HOUR);
    await writer.set('k2', answer({ sub: 'alice', iss: ISSUER_B }), HOUR);
    await writer.set('k3', answer({ sub: 'alice' }), HOUR);
    await writer.set('k4', answer({ sub: 'bob', iss: ISSUER_A, azp: 'c2' }), HOUR);
    await writer.set('k5', answer({ sub: 'bob', iss: ISSUER_B, client_id: 'c2' }), HOUR);
    const exists = async (...keys: string[]) =>
      Promise.all(keys.map(async (key) => (await admin.exists(`${prefix}${key}`)) === 1));

    assert.equal(await evictor.evictMatching({ jtis: ['j1', 'unknown'] }), 1);
    assert.deepEqual(await exists('k1', 'k2', 'k3'), [false, true, true]);

    // Alice at issuer B: her answer there and the one naming no issuer, not hers at other issuers.
    await writer.set('k1', answer({ jti: 'j1', sub: 'alice', iss: ISSUER_A }), HOUR);
    assert.equal(await evictor.evictMatching({ subject: 'alice', issuer: ISSUER_B }), 2);
    assert.deepEqual(await exists('k1', 'k2', 'k3'), [true, false, false]);

    assert.equal(await evictor.evictMatching({ clientId: 'c2' }), 2, 'client_id and azp, any issuer');
    assert.deepEqual(await exists('k1', 'k4', 'k5'), [true, false, false]);
    assert.equal(writer.peek('k4') !== undefined, true, "another replica's L1 is the events' business");
    // Redis holds one answer of Alice's left; the writer's L1 still held all three.
    assert.equal(await writer.evictMatching({ subject: 'alice' }), 3);
    assert.equal(await admin.exists(`${prefix}k1`), 0);
    assert.equal(writer.peek('k1'), undefined, 'the evicting replica drops its L1 entries too');
    assert.equal(await evictor.evictMatching({ subject: 'nobody', jtis: [] }), 0);
  });

  it('keeps index sets at least as long as their entries, and lets them expire', async () => {
    const replica = await ready();
    await replica.clear();
    await replica.set('short', answer({ sub: 'grace', jti: 'j-short' }), 5_000);
    const [set] = await keysUnder(admin, `${prefix}ix:sub:`);
    assert.ok(set, 'the subject set exists');
    const first = await admin.pttl(set);
    assert.ok(first > 0 && first <= 5_000, `set PTTL ${first}`);
    await replica.set('long', answer({ sub: 'grace' }), 60_000);
    assert.ok((await admin.pttl(set)) > 5_000, 'a longer-lived entry extends the set');
    await replica.set('shorter', answer({ sub: 'grace' }), 1_000);
    assert.ok((await admin.pttl(set)) > 5_000, 'a shorter-lived entry does not shorten it');
    await replica.clear();

    await replica.set('fleeting', answer({ sub: 'heidi', jti: 'j-fleeting', client_id: 'c' }), 500);
    assert.equal((await keysUnder(admin, prefix)).length, 4, 'the entry and its three sets');
    await eventually(async () => (await keysUnder(admin, prefix)).length === 0);
  });

  it('deletes the forwarded-value variants of a token by its stem, and any prefix by a scan', async () => {
    const replica = await ready();
    for (const key of ['ns.hash.d1', 'ns.hash.d2', 'ns.hash', 'ns.hash2.d1', 'ns.hash3']) {
      await replica.set(key, answer({ sub: 'ivan' }), HOUR);
    }
    assert.equal(await replica.deleteByPrefix(['ns.hash.']), 2);
    assert.deepEqual((await keysUnder(admin, `${prefix}ns.`)).sort(), [
      `${prefix}ns.hash`,
      `${prefix}ns.hash2.d1`,
      `${prefix}ns.hash3`,
    ]);
    assert.equal(await admin.exists(`${prefix}ix:stem:ns.hash.`), 0, 'the stem set goes with its keys');
    assert.equal(replica.peek('ns.hash.d1'), undefined);
    assert.equal(await replica.deleteByPrefix(['ns.hash2']), 1, 'not a stem: scanned');
    assert.ok(replica.peek('ns.hash3'));
  });

  it('clears its L1 alone with clearLocal, leaving Redis to the other replicas', async () => {
    const replica = await ready();
    await replica.set('local', answer({ sub: 'judy' }), HOUR);
    replica.clearLocal();
    assert.equal(replica.peek('local'), undefined);
    assert.ok(await replica.get('local'), 'still in Redis');
  });

  it('rejects a URL that is not redis:// or rediss:// without echoing it', () => {
    assert.throws(
      () => new RedisCache({ url: 'http://user:hunter2@127.0.0.1:6379' }),
      (error: Error) => /redis:\/\/ or rediss:\/\//.test(error.message) && !error.message.includes('hunter2'),
    );
    assert.throws(() => new RedisCache({ url: SHARED_REDIS_URL, keyPrefix: '' }), /redis\.keyPrefix/);
  });
});

describe('RedisCache without Redis', () => {
  it('serves from L1 alone when Redis refuses, logging once and never the password', async () => {
    const port = new URL(await closedPortUrl()).port;
    const { logger, lines } = capturedLogger();
    const replica = new RedisCache({
      url: `redis://user:hunter2@127.0.0.1:${port}/0`,
      logger,
      reconnectMaxDelayMs: 20,
    });
    try {
      await stateOf(replica, 'degraded');
      assert.equal(await replica.get('missing'), undefined);
      await replica.set('local', answer({ sub: 'kim' }), HOUR);
      assert.ok(replica.peek('local'), 'L1 still serves');
      assert.equal(await replica.delete('local'), true);
      assert.equal(await replica.evictMatching({ subject: 'kim' }), 0);
      await replica.clear();
      // Several reconnection attempts fail meanwhile; still a single line.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const warnings = lines.filter((line) => line.level === 'warn');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].msg, 'shared cache unavailable: serving from the in-process cache only');
      assert.equal(warnings[0].redis, `redis://user@127.0.0.1:${port}/0`);
      assert.ok(!JSON.stringify(lines).includes('hunter2'));
    } finally {
      await replica.close();
    }
    await assert.rejects(replica.whenReady(), /closed/);
  });
});

describe('RedisCache through outages of its Redis', () => {
  let server: PrivateRedis;
  let admin: RedisClient;
  const prefix = uniquePrefix();
  const open: RedisCache[] = [];
  const ready = async (options: Partial<RedisCacheOptions> = {}) => {
    const created = new RedisCache({
      url: server.url,
      keyPrefix: prefix,
      reconnectMaxDelayMs: 50,
      ...options,
    });
    open.push(created);
    await created.whenReady();
    return created;
  };

  before(async () => {
    server = await startPrivateRedis();
    admin = await adminClient(server.url);
  });
  after(async () => {
    await Promise.all(open.map((created) => created.close()));
    admin.disconnect();
    await server.close();
  });

  it('shares one Redis GET among concurrent gets of one key', async () => {
    const writer = await ready();
    const reader = await ready();
    await writer.set('hot', answer({ sub: 'leo' }), HOUR);
    const before = await commandCalls(admin, 'get');
    const results = await Promise.all(Array.from({ length: 20 }, () => reader.get('hot')));
    assert.equal((await commandCalls(admin, 'get')) - before, 1);
    for (const result of results) assert.equal(result, results[0]);
    assert.equal(results[0]?.claims.sub, 'leo');
  });

  it('degrades when Redis dies, replays its invalidations and clears L1 when Redis is back', async () => {
    const { logger, lines } = capturedLogger();
    const replica = await ready({ logger });
    let reconnects = 0;
    replica.onReconnect(() => reconnects++);
    await replica.set('revoked', answer({ sub: 'mia' }), HOUR);
    await replica.set('by-subject', answer({ sub: 'noah', iss: ISSUER_A }), HOUR);
    await replica.set('cached', answer({ sub: 'olga' }), HOUR);

    await server.stop();
    await stateOf(replica, 'degraded');
    assert.equal(await replica.get('by-subject-elsewhere'), undefined);
    assert.ok(replica.peek('cached'), 'L1 serves meanwhile');
    assert.equal(await replica.delete('revoked'), true);
    await replica.evictMatching({ subject: 'noah', issuer: ISSUER_A });

    await server.start();
    await stateOf(replica, 'ready');
    assert.equal(replica.peek('cached'), undefined, 'L1 is cleared on reconnection');
    assert.equal(reconnects, 1);
    await eventually(async () => (await admin.exists(`${prefix}revoked`, `${prefix}by-subject`)) === 0);
    assert.ok(await replica.get('cached'), 'what was not invalidated is still shared');

    const levels = lines.map((line) => `${line.level} ${line.msg}`);
    assert.deepEqual(
      levels.filter((line) => !line.startsWith('info shared cache connected')),
      [
        'warn shared cache unavailable: serving from the in-process cache only',
        'info shared cache available again: in-process cache cleared',
      ],
    );
  });

  it('serves from L1 while Redis answers slower than the command timeout, then recovers', async () => {
    const { logger, lines } = capturedLogger();
    const replica = await ready({ logger, commandTimeoutMs: 50 });
    await replica.set('slow', answer({ sub: 'pat' }), HOUR);
    replica.clearLocal();
    // CLIENT PAUSE holds every client's commands (the admin's too) for 500 ms.
    await admin.client('PAUSE', 500, 'ALL');
    assert.equal(await replica.get('slow'), undefined, 'a timeout is a miss, not an error');
    assert.equal(replica.state, 'degraded');
    await replica.set('meanwhile', answer({ sub: 'pat' }), HOUR);
    assert.ok(replica.peek('meanwhile'));
    await eventually(async () => (await replica.get('slow')) !== undefined);
    assert.equal(replica.state, 'ready');
    assert.equal(lines.filter((line) => line.level === 'warn').length, 1);
  });
});

/**
 * @module test/reliability/security-properties.test
 * Security properties, each as a test against the real components:
 *
 * - Secrets are compared in constant time: `crypto.timingSafeEqual` is watched (a spy installed on the
 *   builtin and synced into every ES import of it); for any presented secret, of any length, right or
 *   wrong, for a known client or an unknown one, the check compares equal-length digests in full, and a
 *   bearer caller is compared with every configured static token whichever matches.
 * - Cache keys and stored tokens are hashes: no key or value of the in-process cache, of a Redis cache, of
 *   a SQLite file or of a PostgreSQL schema holds a token, a client secret or a password as written.
 * - Introspection and revocation rate limits hold: for any sequence of calls and clock steps (model-based,
 *   fast-check), a caller never gets more than its burst plus what the elapsed time refills; over HTTP the
 *   excess is 429 `slow_down` with Retry-After, callers do not share buckets.
 * - Cross-tenant introspection is refused by default: a token of another tenant is `active: false` unless
 *   that tenant allows it; another tenant's endpoint does not know the caller at all.
 * - Identity headers a client sends never come back from the decision endpoint (the proxy's side is in
 *   http-gateway.test.ts).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import fc from 'fast-check';
import { Pool } from 'undici';
import { LruCache } from '../../src/cache/lru-cache.ts';
import { RedisCache } from '../../src/cache/redis-cache.ts';
import {
  adminClient,
  deleteUnder,
  keysUnder,
  SHARED_REDIS_URL,
  uniquePrefix,
} from '../../src/cache/test-support/redis-server.ts';
import type { TokenCache } from '../../src/cache/types.ts';
import { CallerAuthenticator } from '../../src/idp/clients/authenticate-caller.ts';
import { RateLimiter } from '../../src/idp/endpoints/rate-limit.ts';
import { hashPassword, hashSecret, verifyPassword, verifySecret } from '../../src/idp/secrets.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { MemoryStore } from '../../src/idp/store/memory-store.ts';
import { TestSchemas } from '../../src/idp/store/test-support/postgres.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { startGateway, startUpstream } from '../gateway/support/harness.ts';
import { basic, seedConfig } from '../idp/support/seed-idp.ts';
import { fuzz, runs } from './support/corpus.ts';
import { SecretSet } from './support/leaks.ts';
import { eventually } from './support/load.ts';
import { introspectingAt, OAuthCalls } from './support/oauth-calls.ts';

const APP = { id: 'app', secret: 'security-app-secret-1d9c0b7e' };
const OPAQUE = { id: 'opaque-app', secret: 'security-opaque-secret-6a2f4c' };
const RS = { id: 'resource-server', secret: 'security-rs-secret-3e8b51a0' };
const USER = { username: 'auditor', password: 'auditor-password-Vb7&q2' };

/** Watches `crypto.timingSafeEqual` (ES imports of it included) for the duration of `body`. */
async function watchingCompares<T>(body: (calls: () => [Buffer, Buffer][]) => Promise<T> | T): Promise<T> {
  const spy = mock.method(crypto, 'timingSafeEqual');
  syncBuiltinESMExports();
  try {
    return await body(() => spy.mock.calls.map((call) => call.arguments as unknown as [Buffer, Buffer]));
  } finally {
    spy.mock.restore();
    syncBuiltinESMExports();
  }
}

describe('security: secrets are compared in constant time', () => {
  it('client secrets: one full-length digest comparison for any presented secret, known client or not', async () => {
    const stored = hashSecret(APP.secret);
    await watchingCompares(async (calls) => {
      const cases = await fuzz(
        'security.client-secrets',
        fc.property(
          fc.oneof(fc.string(), fc.constant(APP.secret), fc.string({ minLength: 500, maxLength: 2000 })),
          fc.boolean(),
          (presented, known) => {
            const before = calls().length;
            const ok = verifySecret(presented, known ? stored : undefined);
            assert.equal(ok, known && presented === APP.secret);
            const made = calls().slice(before);
            assert.equal(made.length, 1, 'exactly one comparison');
            assert.equal(made[0][0].length, 32);
            assert.equal(made[0][1].length, 32, 'digests of equal length, whatever was presented');
          },
        ),
      );
      assert.ok(cases > 0);
    });
  });

  it('passwords: the scrypt digest is derived and compared in full for a known user and an unknown one', async () => {
    const stored = await hashPassword(USER.password);
    await watchingCompares(async (calls) => {
      for (const [presented, hash, expected] of [
        [USER.password, stored, true],
        ['x', stored, false],
        [`${USER.password}!`, stored, false],
        [USER.password, undefined, false],
      ] as const) {
        const before = calls().length;
        assert.equal(await verifyPassword(presented, hash), expected);
        const made = calls().slice(before);
        if (hash === undefined) assert.equal(made.length, 0, 'an unknown user: derived, then refused');
        else
          assert.deepEqual(
            made.map(([a, b]) => [a.length, b.length]),
            [[32, 32]],
          );
      }
    });
  });

  it('static introspection tokens: every configured token is compared, whichever one matches', async () => {
    const statics = ['static-token-number-one-aa', 'static-token-number-two-bb', 'static-token-number-three'];
    const callers = new CallerAuthenticator({
      store: new MemoryStore(),
      tokens: { find: async () => undefined },
      staticTokens: statics.map((token, index) => ({ token, tenant: 'default', name: `s${index}` })),
      assertionMaxLifetimeMs: 60_000,
      clockToleranceMs: 0,
      logger: silentLogger,
    });
    const realm = { tenant: 'default', issuer: 'http://idp', claimStyle: 'rfc9068' as const };
    await watchingCompares(async (calls) => {
      for (const presented of [...statics, 'static-token-number-four', 'short']) {
        const before = calls().length;
        const outcome = await callers
          .authenticate(
            {
              realm,
              authorization: `Bearer ${presented}`,
              form: new Map(),
              peer: undefined,
              endpointUrls: [],
            },
            { bearer: true },
          )
          .then(
            (caller) => caller.kind,
            () => 'refused',
          );
        assert.equal(outcome, statics.includes(presented) ? 'static' : 'refused');
        const made = calls().slice(before);
        assert.equal(made.length, statics.length, `${presented}: compared with each configured token`);
        assert.ok(made.every(([a, b]) => a.length === 32 && b.length === 32));
      }
    });
  });

  it('over HTTP: a wrong Basic secret at the token endpoint costs the same comparison as a right one', async () => {
    const idp = await createIdp(seedConfig({ clients: [APP], users: [] }), { logger: silentLogger });
    const pool = new Pool(idp.url);
    try {
      await watchingCompares(async (calls) => {
        for (const secret of [APP.secret, 'x', APP.secret.slice(0, -1), `${APP.secret}x`.repeat(20)]) {
          for (const id of [APP.id, 'nobody']) {
            const before = calls().length;
            const answer = await pool.request({
              method: 'POST',
              path: '/oauth2/token',
              headers: {
                authorization: basic(id, secret),
                'content-type': 'application/x-www-form-urlencoded',
              },
              body: 'grant_type=client_credentials',
            });
            await answer.body.text();
            assert.equal(answer.statusCode, id === APP.id && secret === APP.secret ? 200 : 401);
            assert.equal(calls().length - before, 1, `${id}: one constant-time comparison`);
          }
        }
      });
    } finally {
      await pool.close();
      await idp.close();
    }
  });
});

describe('security: cache keys and stored tokens are hashes', () => {
  let dir: string;
  let idp: Idp;
  let calls: OAuthCalls;
  const schemas = new TestSchemas();
  let pgIdp: Idp | undefined;
  const tokens: string[] = [];
  const secrets = new SecretSet()
    .add('app secret', APP.secret)
    .add('opaque app secret', OPAQUE.secret)
    .add('rs secret', RS.secret)
    .add('password', USER.password);

  const clients = [
    { ...APP, scopes: ['read'] },
    { ...OPAQUE, tokenFormat: 'opaque' as const, grantTypes: ['client_credentials' as const] },
    { ...RS, canIntrospect: true },
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-hashes-'));
    idp = await createIdp(
      seedConfig({
        store: `sqlite:${join(dir, 'idp.db')}`,
        clients,
        users: [{ ...USER, canIntrospect: true }],
      }),
      { logger: silentLogger },
    );
    calls = new OAuthCalls(idp.url);
    for (const client of [APP, OPAQUE, APP, OPAQUE]) {
      const issued = await calls.issue(client);
      assert.equal(issued.status, 200);
      tokens.push(issued.token!);
      secrets.add('token', issued.token!);
    }
    await calls.revoke(APP, tokens[0]);
  });
  after(async () => {
    await calls.close();
    await idp.close();
    await pgIdp?.close();
    await schemas.dropAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const authenticator = (cache: TokenCache) =>
    createAuthenticator({
      config: introspectingAt(idp.url, RS),
      caches: { introspection: cache },
    });

  it('the in-process cache: keys are <namespace digest>.<SHA-256 of the token>, values hold no token', async () => {
    const keys: string[] = [];
    const lru = new LruCache({ maxEntries: 100, name: 'watched' });
    const cache: TokenCache = {
      synchronous: true,
      get: (key) => lru.get(key),
      set: (key, answer, ttl) => {
        keys.push(key);
        return lru.set(key, answer, ttl);
      },
      delete: (key) => lru.delete(key),
      clear: () => lru.clear(),
    };
    const auth = authenticator(cache);
    for (const token of tokens)
      await auth.check({ headers: { authorization: `Bearer ${token}` } }).catch(() => {});
    await auth.close();
    assert.ok(keys.length >= 3);
    for (const key of keys) {
      assert.match(key, /^[\w-]{22}\.[\w-]{43}$/);
      assert.deepEqual(secrets.leaksIn(`${key} ${JSON.stringify(lru.get(key))}`), []);
    }
  });

  it('a Redis cache: no key or value holds a token', async () => {
    const prefix = uniquePrefix();
    const cache = new RedisCache({ url: SHARED_REDIS_URL, keyPrefix: prefix });
    const admin = await adminClient(SHARED_REDIS_URL);
    try {
      await eventually('the Redis cache connected', () => cache.state === 'ready');
      const auth = authenticator(cache);
      for (const token of tokens)
        await auth.check({ headers: { authorization: `Bearer ${token}` } }).catch(() => {});
      await auth.close();
      const keys = await keysUnder(admin, prefix);
      assert.ok(keys.length >= 3, `${keys.length} keys`);
      for (const key of keys) {
        const type = await admin.type(key);
        const value = type === 'string' ? await admin.get(key) : JSON.stringify(await admin.smembers(key));
        assert.deepEqual(secrets.leaksIn(`${key} ${value}`), [], key);
      }
    } finally {
      await deleteUnder(admin, prefix);
      admin.disconnect();
      await cache.close();
    }
  });

  it('the SQLite file (and its WAL): no token, client secret or password as written', () => {
    for (const file of ['idp.db', 'idp.db-wal']) {
      let bytes: string;
      try {
        bytes = readFileSync(join(dir, file)).toString('latin1');
      } catch {
        continue;
      }
      assert.deepEqual(secrets.leaksIn(bytes), [], file);
    }
  });

  it('a PostgreSQL schema: no row holds a token, client secret or password as written', async () => {
    const schema = schemas.next();
    pgIdp = await createIdp(
      seedConfig({ store: schemas.url(schema), clients, users: [{ ...USER, canIntrospect: true }] }),
      { logger: silentLogger },
    );
    const pg = new OAuthCalls(pgIdp.url);
    for (const client of [APP, OPAQUE]) {
      const issued = await pg.issue(client);
      assert.equal(issued.status, 200);
      secrets.add('token', issued.token!);
    }
    await pg.close();
    const tables = await schemas.inspect<{ table_name: string }>(
      schema,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    assert.ok(tables.length >= 4);
    for (const { table_name } of tables) {
      const rows = await schemas.inspect<{ row: string }>(
        schema,
        `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
      );
      for (const { row } of rows)
        assert.deepEqual(secrets.leaksIn(row), [], `${table_name}: ${row.slice(0, 200)}`);
    }
  });
});

describe('security: rate limits hold', () => {
  it('model-based: no caller gets more than its burst plus what the elapsed time refills, nor less', async () => {
    const cases = await fuzz(
      'security.rate-limits',
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat({ max: 3_000 })), { maxLength: 200 }),
        (perMinute, burst, events) => {
          let now = 0;
          const limiter = new RateLimiter({ perMinute, burst, now: () => now });
          const granted = new Map<string, { first: number; last: number; count: number }>();
          const interval = 60_000 / perMinute;
          for (const [caller, step] of events) {
            now += step;
            const seen = granted.get(caller);
            let allowed = true;
            try {
              limiter.take(caller);
            } catch (error) {
              allowed = false;
              assert.equal((error as { code?: string }).code, 'slow_down');
              assert.ok(
                Number((error as { retryAfter?: number }).retryAfter) >= 1,
                'a Retry-After of 1 s or more',
              );
            }
            // Safety: never more than the burst plus the refill since the caller's first request.
            if (allowed) {
              const record = seen ?? { first: now, last: now, count: 0 };
              record.count++;
              record.last = now;
              granted.set(caller, record);
              assert.ok(record.count <= burst + ((now - record.first) * perMinute) / 60_000 + 1e-9);
            }
            // Liveness: a first request, or one a full refill interval after the last granted one, passes.
            if (seen === undefined || now - seen.last >= interval)
              assert.ok(allowed, `${caller} refused after waiting`);
          }
        },
      ),
      runs(),
    );
    assert.ok(cases > 0);
  });

  it('over HTTP: the excess is 429 slow_down with Retry-After, and callers do not share a bucket', async () => {
    const idp = await createIdp(
      seedConfig({
        clients: [
          { ...RS, canIntrospect: true },
          { ...APP, canIntrospect: true },
        ],
        users: [],
        introspection: { rateLimit: { perCaller: 6, burst: 5 } },
      }),
      { logger: silentLogger },
    );
    const calls = new OAuthCalls(idp.url);
    try {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () => calls.introspect(RS, 'some-token')),
      );
      const ok = statuses.filter((answer) => answer.status === 200).length;
      assert.ok(ok >= 5 && ok <= 6, `${ok} of 20 allowed with burst 5`);
      assert.equal(statuses.filter((answer) => answer.status === 429).length, 20 - ok);
      assert.equal(
        (await calls.introspect(APP, 'some-token')).status,
        200,
        'another caller has its own bucket',
      );
      const revokes = await Promise.all(Array.from({ length: 10 }, () => calls.revoke(RS, 'some-token')));
      assert.ok(
        revokes.every((status) => status === 429),
        'revocation shares the caller bucket',
      );
      const pool = new Pool(idp.url);
      const answer = await pool.request({
        method: 'POST',
        path: '/oauth2/introspect',
        headers: {
          authorization: basic(RS.id, RS.secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'token=x',
      });
      const body = JSON.parse(await answer.body.text());
      assert.equal(answer.statusCode, 429);
      assert.equal(body.error, 'slow_down');
      assert.match(String(answer.headers['retry-after']), /^[1-9]\d*$/);
      await pool.close();
    } finally {
      await calls.close();
      await idp.close();
    }
  });
});

describe('security: cross-tenant introspection is refused by default', () => {
  it('a caller sees tokens of other tenants as inactive unless they allow it; their endpoints do not know it', async () => {
    const tenants = ['alpha', 'beta', 'gamma'];
    const idp = await createIdp(
      seedConfig({
        tenants: tenants.map((id) => ({ id, allowCrossTenantIntrospection: id === 'gamma' })),
        clients: tenants.flatMap((tenant) => [
          { id: 'rs', secret: `${tenant}-rs-secret-0f3e`, tenant, canIntrospect: true },
          { id: 'app', secret: `${tenant}-app-secret-9a7d`, tenant, tokenFormat: 'opaque' as const },
        ]),
        users: [],
        introspection: { rateLimit: { perCaller: 0 } },
      }),
      { logger: silentLogger },
    );
    const at = new Map(tenants.map((tenant) => [tenant, new OAuthCalls(idp.url, `/t/${tenant}`)]));
    try {
      const tokenOf = new Map<string, string>();
      for (const tenant of tenants) {
        const issued = await at.get(tenant)!.issue({ id: 'app', secret: `${tenant}-app-secret-9a7d` });
        tokenOf.set(tenant, issued.token!);
      }
      // Every (caller, endpoint, owner) triple: 27 cases, exhaustively.
      for (const caller of tenants) {
        for (const endpoint of tenants) {
          for (const owner of tenants) {
            const presented = { id: 'rs', secret: `${caller}-rs-secret-0f3e` };
            const answer = await at.get(endpoint)!.introspect(presented, tokenOf.get(owner)!);
            if (caller !== endpoint) {
              assert.equal(answer.status, 401, `a ${caller} caller at ${endpoint}'s endpoint`);
            } else {
              assert.equal(answer.status, 200);
              assert.equal(
                answer.active,
                owner === caller || owner === 'gamma',
                `${caller} introspecting ${owner}'s token`,
              );
            }
          }
        }
      }
    } finally {
      for (const calls of at.values()) await calls.close();
      await idp.close();
    }
  });
});

describe('security: identity headers never come back from the decision endpoint', () => {
  it("a client's X-User-Id is replaced by the token's subject, or absent", async () => {
    const idp = await createIdp(seedConfig({ clients: [{ ...RS, canIntrospect: true }, APP], users: [] }), {
      logger: silentLogger,
    });
    const upstream = await startUpstream();
    const gw = await startGateway({
      authenticators: {
        idp: introspectingAt(idp.url, RS),
      },
      routes: [
        {
          match: { pathPrefix: '/' },
          upstream: { urls: [upstream.url] },
          forward: { headers: { 'X-User-Id': 'sub' } },
        },
      ],
    });
    const calls = new OAuthCalls(idp.url);
    try {
      const token = (await calls.issue(APP)).token!;
      for (const [authorization, expected] of [
        [`Bearer ${token}`, 200],
        ['Bearer not-a-token', 401],
        [undefined, 401],
      ] as const) {
        const headers: Record<string, string> = { 'x-user-id': 'mallory', 'X-Forwarded-Uri': '/orders' };
        if (authorization) headers.authorization = authorization;
        const answer = await fetch(`${gw.api}/decisions/orders`, { headers });
        await answer.text();
        assert.equal(answer.status, expected);
        assert.equal(answer.headers.get('x-user-id'), expected === 200 ? APP.id : null);
      }
    } finally {
      await calls.close();
      await gw.close();
      await upstream.close();
      await idp.close();
    }
  });
});

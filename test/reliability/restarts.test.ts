/**
 * @module test/reliability/restarts.test
 * Redis and PostgreSQL restarted in the middle of a load, on private servers of the test's own (the
 * machine's shared ones stay up):
 *
 * - Redis (shared cache of two replicas, and the revocation channel of the IdP) killed with SIGKILL and
 *   started again: every request is still answered (Redis is an optimisation: the IdP answers on a miss),
 *   no revocation is lost (those made while Redis was down included: the subscribers flush after the gap),
 *   no valid token is refused, and the logs say what happened (cache degraded / back, events down / live).
 * - PostgreSQL (the store of two IdP replicas) stopped `-m immediate` (a crash: WAL replay on restart) in
 *   the middle of issuance and revocation: requests meanwhile fail closed (503 with Retry-After, never a
 *   crash, one warning each with the reason and no stack trace), and afterwards every token whose issuance
 *   got a 200 is active at both replicas, every one whose revocation got a 200 inactive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisCache } from '../../src/cache/redis-cache.ts';
import {
  type PrivateRedis,
  startPrivateRedis,
  uniquePrefix,
} from '../../src/cache/test-support/redis-server.ts';
import { subscribeRevocations } from '../../src/events/subscribe.ts';
import type { RevocationSubscription } from '../../src/events/types.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { seedConfig } from '../idp/support/seed-idp.ts';
import { assertNoLeaks, SecretSet } from './support/leaks.ts';
import { assertOnly, eventually, type Outcome, startLoad } from './support/load.ts';
import { captureLogs } from './support/log-capture.ts';
import { introspectingAt, OAuthCalls } from './support/oauth-calls.ts';
import { type PrivatePostgres, startPrivatePostgres, unavailable } from './support/private-postgres.ts';

const RS = { id: 'resource-server', secret: 'restart-rs-secret-93b1f0c2' };
const APP = { id: 'app', secret: 'restart-app-secret-5a7e22d4' };
const CLIENTS = [
  { ...RS, canIntrospect: true },
  { ...APP, scopes: ['read'], tokenFormat: 'opaque' as const },
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejection during the restarts');
});

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];

describe('restarts: Redis killed and restarted under load', () => {
  const logs = captureLogs('info');
  const secrets = new SecretSet().addBasic('rs', RS.id, RS.secret).addBasic('app', APP.id, APP.secret);
  let redis: PrivateRedis;
  let idp: Idp;
  let calls: OAuthCalls;
  const replicas: { auth: Authenticator; cache: RedisCache; events: RevocationSubscription }[] = [];
  const channel = `${uniquePrefix()}revocations`;

  before(async () => {
    redis = await startPrivateRedis();
    idp = await createIdp(
      seedConfig({
        clients: CLIENTS,
        users: [],
        introspection: { rateLimit: { perCaller: 0 } },
        events: { redis: { url: redis.url, channel, publishTimeout: '200ms' } },
      }),
      { logger: logs.logger.child({ component: 'idp' }) },
    );
    calls = new OAuthCalls(idp.url);
    const keyPrefix = uniquePrefix();
    for (const name of ['replica-a', 'replica-b']) {
      const logger = logs.logger.child({ replica: name });
      const cache = new RedisCache({
        url: redis.url,
        keyPrefix,
        l1: { ttlMs: 1_000 },
        commandTimeoutMs: 100,
        reconnectMaxDelayMs: 300,
        logger,
      });
      const auth = createAuthenticator({
        config: { httpClient: { requestTimeout: '2s' }, ...introspectingAt(idp.url, RS) },
        caches: { introspection: cache },
        logger,
      });
      const events = subscribeRevocations(auth, {
        source: 'redis',
        redis: { url: redis.url, channel },
        reconnect: { initialDelay: '100ms', maxDelay: '500ms' },
        logger,
      });
      replicas.push({ auth, cache, events });
    }
    await Promise.all(replicas.map((replica) => replica.events.ready));
  });

  after(async () => {
    for (const { auth, cache, events } of replicas) {
      await events.close();
      await auth.close();
      await cache.close();
    }
    await calls.close();
    await idp.close();
    await redis.close();
  });

  /** 200 or the error's status, at one replica. */
  async function check(replica: number, token: string): Promise<number> {
    const { auth } = replicas[replica];
    try {
      await auth.check({ headers: { authorization: `Bearer ${token}` } });
      return 200;
    } catch (error) {
      return auth.toError(error).httpStatus;
    }
  }

  it('answers every request, loses no revocation, refuses no valid token, and says so in the logs', async (t) => {
    const tokens: string[] = [];
    for (let index = 0; index < 60; index++) {
      const issued = await calls.issue(APP, 'read');
      assert.equal(issued.status, 200);
      tokens.push(issued.token!);
      secrets.add(`token ${index}`, issued.token!);
    }
    const revoked = new Map<string, number>(); // token → when its revocation got a 200
    const revoke = async (list: string[]) => {
      for (const token of list) {
        assert.equal(await calls.revoke(APP, token), 200);
        revoked.set(token, Date.now());
      }
    };
    const load = startLoad(8, async (worker) => {
      const token = pick(tokens);
      const status = await check(worker % 2, token);
      return { what: revoked.has(token) ? 'revoked' : 'valid', status, at: Date.now() } satisfies Outcome;
    });
    await sleep(300);
    await revoke(tokens.slice(0, 10));
    await sleep(200);
    await redis.stop();
    const downAt = Date.now();
    await revoke(tokens.slice(10, 20)); // published to a Redis that is gone: the events are lost
    await sleep(1_000);
    await redis.start();
    await eventually('both replicas use Redis again and their events are live', () =>
      replicas.every(({ cache, events }) => cache.state === 'ready' && events.state === 'live'),
    );
    const upAt = Date.now();
    await revoke(tokens.slice(20, 30));
    await eventually('every revoked token is refused at both replicas', async () => {
      for (const token of revoked.keys()) {
        for (const replica of [0, 1]) if ((await check(replica, token)) !== 401) return false;
      }
      return true;
    });
    const settledAt = Date.now();
    await sleep(500);
    await load.stop();

    const counts = assertOnly(load, [200, 401], 'only 200 and 401');
    const afterSettle = load.outcomes.filter((outcome) => outcome.at > settledAt);
    assert.ok(afterSettle.length > 0);
    assert.ok(
      afterSettle.every((outcome) =>
        outcome.what === 'revoked' ? outcome.status === 401 : outcome.status === 200,
      ),
      'once settled: every revoked token refused, every other one accepted',
    );
    for (const token of tokens) {
      for (const replica of [0, 1]) {
        assert.equal(await check(replica, token), revoked.has(token) ? 401 : 200);
      }
    }
    t.diagnostic(
      `${load.outcomes.length} checks (${JSON.stringify(counts)}), Redis down ${upAt - downAt} ms, 30 revocations`,
    );

    const messages = logs.records().map((line) => String(line.msg));
    for (const expected of [
      'shared cache unavailable: serving from the in-process cache only',
      'shared cache available again: in-process cache cleared',
      'revocation events unavailable: reconnecting',
      'revocation events live',
    ]) {
      assert.ok(messages.includes(expected), `logged: ${expected}`);
    }
    const flushed = logs.records().filter((line) => line.msg === 'revocation events live' && line.flushed);
    assert.equal(flushed.length, 2, 'each replica flushed its caches after the gap');
    assertNoLeaks(logs.lines, secrets, 'log line');
  });
});

describe('restarts: PostgreSQL crashed and restarted under load', { skip: unavailable() }, () => {
  const logs = captureLogs('info');
  const secrets = new SecretSet().addBasic('rs', RS.id, RS.secret).addBasic('app', APP.id, APP.secret);
  let pg: PrivatePostgres;
  const idps: Idp[] = [];
  const calls: OAuthCalls[] = [];

  before(async () => {
    pg = await startPrivatePostgres();
    const store = `${pg.url}?schema=tg_restarts&connectTimeout=1s&statementTimeout=2s&max=5`;
    for (const name of ['idp-a', 'idp-b']) {
      const idp = await createIdp(
        seedConfig({ store, clients: CLIENTS, users: [], introspection: { rateLimit: { perCaller: 0 } } }),
        { logger: logs.logger.child({ replica: name }) },
      );
      idps.push(idp);
      calls.push(new OAuthCalls(idp.url));
    }
  });

  after(async () => {
    for (const client of calls) await client.close();
    for (const idp of idps) await idp.close();
    await pg?.close();
  });

  it('fails closed while it is down, and keeps every token and revocation that got a 200', async (t) => {
    const issued: string[] = [];
    const revoked = new Set<string>();
    const revokeFailed = new Set<string>();
    const retryAfter: string[] = [];
    const load = startLoad(6, async (worker) => {
      const at = calls[worker % 2];
      if (issued.length > 5 && worker % 3 === 0) {
        const token = pick(issued);
        if (revoked.has(token)) return undefined;
        const status = await calls[(worker + 1) % 2].revoke(APP, token);
        if (status === 200) revoked.add(token);
        else revokeFailed.add(token);
        return { what: 'revoke', status, at: Date.now() };
      }
      const answer = await at.issue(APP, 'read');
      if (answer.status === 200) {
        issued.push(answer.token!);
        secrets.add('issued token', answer.token!);
      } else if (answer.status === 503) {
        retryAfter.push(answer.retryAfter ?? '');
      }
      return { what: 'issue', status: answer.status, at: Date.now() };
    });
    await sleep(1_000);
    const before = load.outcomes.length;
    await pg.stop();
    await sleep(1_000);
    await pg.start();
    await eventually('both replicas issue tokens again', async () => {
      for (const client of calls) if ((await client.issue(APP)).status !== 200) return false;
      return true;
    });
    await sleep(800);
    await load.stop();

    const counts = assertOnly(load, [200, 503], 'only 200, or 503 while the store was down');
    assert.ok((counts[503] ?? 0) > 0, 'the outage was seen');
    assert.ok(load.outcomes.length > before, 'load went on through the restart');

    for (const token of issued) {
      for (const client of calls) {
        const answer = await client.introspect(RS, token);
        assert.equal(answer.status, 200);
        if (revoked.has(token)) assert.equal(answer.active, false, 'a revocation that got a 200 is kept');
        else if (!revokeFailed.has(token))
          assert.equal(answer.active, true, 'a token that got a 200 is kept');
      }
    }
    t.diagnostic(
      `${issued.length} tokens issued, ${revoked.size} revoked, statuses ${JSON.stringify(counts)}, PostgreSQL down ~1 s`,
    );
    // One clear warning per failed request (reason, the store without its password), no stack trace.
    const outage = logs.find('request failed: a service is unavailable');
    assert.ok(outage.length > 0, 'the outage is in the logs');
    assert.ok(outage.every((line) => line.error_reason === 'store_unavailable' && !('err' in line)));
    assert.ok(
      logs.lines.every((line) => !line.includes('"stack"')),
      'no stack trace for an outage',
    );
    assert.ok(
      retryAfter.every((value) => /^[1-9]\d*$/.test(value)),
      `every 503 has Retry-After: ${retryAfter}`,
    );
    assertNoLeaks(logs.lines, secrets, 'log line');
  });
});

/**
 * @module test/scale-out/replicas.test
 * The scale-out story end to end, with the configurations of docs/SCALE-OUT.md and real processes: two
 * `tokenguard idp` replicas on one PostgreSQL schema publishing revocation events on a private Redis, two
 * `tokenguard gateway` replicas (one introspecting at each IdP replica, 5-minute claims cache, the shared
 * Redis cache, events from Redis) and a third gateway without Redis, following replica B's SSE stream.
 *
 * - A token of replica A (opaque, then a JWT) passes every gateway, each asking the IdP once; revoked at
 *   replica A (RFC 7009), all three gateways refuse it within seconds, long before the 5-minute TTL: the
 *   SSE gateway through replica B, which relays A's event from Redis.
 * - Redis is killed (SIGKILL): a valid token keeps passing (L1, then introspection); a token revoked then
 *   (its publication fails) is refused once its L1 entry ends, although its 5-minute answer is in Redis.
 *   Redis restarts with that data on the same port: from that moment on, no gateway accepts the token
 *   revoked during the outage (the shared caches and the subscribers flush after the gap), and a new
 *   revocation propagates again.
 */
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  adminClient,
  type PrivateRedis,
  startPrivateRedis,
} from '../../src/cache/test-support/redis-server.ts';
import { TestSchemas } from '../../src/idp/store/test-support/postgres.ts';
import { eventually } from '../events/support/eventually.ts';
import { type RecordingUpstream, startUpstream } from '../gateway/support/harness.ts';
import { basic, postForm } from '../idp/support/seed-idp.ts';
import { APPS, Deployment, type RunningGateway, type RunningIdp } from './support/deployment.ts';

type App = (typeof APPS)[keyof typeof APPS];

/** Generous for a loaded 2-core machine; the point is "seconds, not the 5-minute TTL". */
const PROPAGATION_DEADLINE_MS = 10_000;

describe('scale-out: IdP replicas on PostgreSQL, gateways on a shared Redis, revocation events', () => {
  const schemas = new TestSchemas();
  let redis: PrivateRedis;
  let upstream: RecordingUpstream;
  let deployment: Deployment;
  let one: RunningGateway;
  let two: RunningGateway;
  let sse: RunningGateway;
  let all: RunningGateway[];

  before(async () => {
    redis = await startPrivateRedis();
    upstream = await startUpstream('orders');
    deployment = await Deployment.start({ redis: redis.url, store: schemas.url(schemas.next()) });
    [one, two, sse] = await Promise.all([
      deployment.gateway('gateway-1', 'redis', deployment.a, upstream.url),
      deployment.gateway('gateway-2', 'redis', deployment.b, upstream.url),
      deployment.gateway('gateway-sse', 'sse', deployment.b, upstream.url),
    ]);
    all = [one, two, sse];
  });

  after(async () => {
    await deployment?.close();
    await upstream?.close();
    await redis?.close();
    await schemas.dropAll();
  });

  const issue = async (app: App): Promise<string> => {
    const answer = await postForm(
      `${deployment.a.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(app.id, app.secret) },
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json().access_token as string;
  };
  /** RFC 7009 revocation by the token's own client. */
  const revoke = async (idp: RunningIdp, app: App, token: string): Promise<void> => {
    const answer = await postForm(
      `${idp.url}/oauth2/revoke`,
      { token },
      { authorization: basic(app.id, app.secret) },
    );
    assert.equal(answer.status, 200, answer.text);
  };
  const status = async (gateway: RunningGateway, token: string): Promise<number> => {
    const response = await fetch(`${gateway.url}/orders/42`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    return response.status;
  };
  const statuses = (gateways: RunningGateway[], token: string) =>
    Promise.all(gateways.map((gateway) => status(gateway, token)));
  const untilRefused = (gateways: RunningGateway[], token: string, why: string) =>
    eventually(
      `401 from ${gateways.map((gateway) => gateway.name).join(', ')} after ${why}`,
      async () => (await statuses(gateways, token)).every((code) => code === 401),
      PROPAGATION_DEADLINE_MS,
    );
  /** The sum of a counter's series (all labels, or those containing `labels`) in the gateway's /metrics. */
  const counter = async (gateway: RunningGateway, name: string, labels = ''): Promise<number> => {
    const text = await (await fetch(`${gateway.api}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const introspections = (gateway: RunningGateway) =>
    counter(gateway, 'tokenguard_idp_request_duration_seconds_count', 'operation="introspect"');
  /** Lookups answered by Redis (after an L1 miss). */
  const redisHits = (gateway: RunningGateway) =>
    counter(gateway, 'tokenguard_cache_hits_total', 'cache="redis"');
  /** Keys of the shared cache holding an answer for `token` (one per introspection endpoint). */
  const sharedEntries = async (token: string): Promise<number> => {
    const admin = await adminClient(redis.url);
    try {
      return (await admin.keys(`tokenguard:*.${hash('sha256', token, 'base64url')}`)).length;
    } finally {
      admin.disconnect();
    }
  };

  for (const [format, app] of [
    ['an opaque token', APPS.opaque],
    ['a JWT', APPS.jwt],
  ] as const) {
    it(`${format} of replica A passes every gateway (one introspection each); revoked at A, refused`, async () => {
      const token = await issue(app);
      assert.equal(token.split('.').length === 3, app.tokenFormat === 'jwt');
      const calls = await Promise.all(all.map(introspections));
      for (let round = 0; round < 3; round++) assert.deepEqual(await statuses(all, token), [200, 200, 200]);
      assert.deepEqual(
        (await Promise.all(all.map(introspections))).map((count, i) => count - calls[i]),
        [1, 1, 1],
        'one introspection per gateway: the other requests were cache hits',
      );
      // Both Redis gateways stored their answer in the shared cache (one entry per introspection endpoint).
      assert.equal(await sharedEntries(token), 2);

      const hits = await Promise.all([one, two].map(redisHits));
      await revoke(deployment.a, app, token);
      // The Redis gateways hear replica A on Redis; the SSE gateway hears it from replica B's stream.
      await untilRefused(all, token, 'the revocation at replica A');
      assert.equal(await sharedEntries(token), 0, 'evicted from the shared cache too');
      // Once evicted from L1, a lookup must not find the answer in Redis before its eviction there is done:
      // it would be served, and kept in L1 for l1.ttl.
      assert.deepEqual(await Promise.all([one, two].map(redisHits)), hits, 'no lookup found it in Redis');
    });
  }

  it('survive a Redis crash: valid tokens pass, a token revoked meanwhile is never accepted again', async () => {
    const valid = await issue(APPS.opaque);
    const doomed = await issue(APPS.opaque);
    for (const token of [valid, doomed]) assert.deepEqual(await statuses(all, token), [200, 200, 200]);
    assert.equal(await sharedEntries(doomed), 2, 'its 5-minute answer is in Redis');
    const marks = new Map(
      [...all, deployment.a, deployment.b].map((node) => [node, node.process.logs.length]),
    );
    const mark = (node: RunningGateway | RunningIdp) => ({ from: marks.get(node) });

    await redis.stop();
    for (const gateway of [one, two]) {
      await gateway.process.waitForLog('revocation events unavailable: reconnecting', mark(gateway));
      await gateway.process.waitForLog(
        'shared cache unavailable: serving from the in-process cache only',
        mark(gateway),
      );
    }
    assert.deepEqual(await statuses(all, valid), [200, 200, 200], 'served from L1');

    // Revoked while nobody can hear it: the store write revokes, the publication fails.
    await revoke(deployment.a, APPS.opaque, doomed);
    await deployment.a.process.waitForLog('revocation event not published', mark(deployment.a));
    // Its L1 entries end within l1.ttl; then introspection answers, and refuses it. (The SSE gateway hears
    // replica A only through Redis: it too serves its cached answer until the gap is over.)
    await untilRefused([one, two], doomed, 'the L1 entries ended (Redis down)');
    assert.deepEqual(await statuses([one, two], valid), [200, 200], 'introspected while Redis is down');

    await redis.start();
    // From the restart on, the answer cached before the crash is in Redis again: no gateway may serve it.
    // Polled until every gateway has flushed after the gap (and the IdP relays resubscribed).
    const flushed = () =>
      [one, two].every(
        (gateway) =>
          gateway.process.logsOf('revocation events live', marks.get(gateway)).length > 0 &&
          gateway.process.logsOf('shared cache available again: in-process cache cleared', marks.get(gateway))
            .length > 0,
      ) &&
      sse.process.logsOf('the IdP cannot replay missed revocation events: flushing the cache', marks.get(sse))
        .length > 0;
    const stale: string[] = [];
    await eventually(
      'every gateway flushed after the gap',
      async () => {
        const settled = flushed(); // read first: the request after the last flush is checked too
        const codes = await statuses([one, two], doomed);
        codes.forEach((code, i) => {
          if (code !== 401) stale.push(`${[one, two][i].name} answered ${code}`);
        });
        return settled;
      },
      PROPAGATION_DEADLINE_MS,
    );
    assert.deepEqual(stale, [], 'no stale allow after Redis came back');
    assert.deepEqual(await statuses(all, doomed), [401, 401, 401]);
    for (const gateway of [one, two]) {
      const [live] = gateway.process.logsOf('revocation events live', marks.get(gateway));
      assert.equal(live.flushed, 'reconnected');
    }
    assert.deepEqual(
      await statuses(all, valid),
      [200, 200, 200],
      'a flush costs cache hits, not valid tokens',
    );

    // Events flow again: a revocation after the restart reaches every gateway.
    await deployment.b.process.waitForLog(
      'revocation relay resubscribed: streams reset, events of other replicas may be missing',
      mark(deployment.b),
    );
    const next = await issue(APPS.jwt);
    assert.deepEqual(await statuses(all, next), [200, 200, 200]);
    await revoke(deployment.a, APPS.jwt, next);
    await untilRefused(all, next, 'a revocation after Redis came back');
  });
});

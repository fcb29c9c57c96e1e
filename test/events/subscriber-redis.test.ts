/**
 * @module test/events/subscriber-redis.test
 * End to end over Redis: an authenticator caching introspection answers for an hour, subscribed to the
 * IdP's revocation events through a TCP proxy to the real Redis. A revoked token (opaque: by digest; JWT:
 * by jti) leaves the cache as soon as the event arrives, while a token revoked behind the IdP's back (no
 * event) stays cached: the eviction is the event's doing. Then the gap: the subscription is killed on the
 * Redis side (`CLIENT KILL ADDR`) and kept down while a token is revoked; on resubscription the target is
 * flushed before anything else, so the revoked token is refused although its event was never heard. A
 * subscription that could only start late flushes too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { subscribeRevocations } from '../../src/events/subscribe.ts';
import type { RevocationSubscription } from '../../src/events/types.ts';
import type { Idp } from '../../src/idp/server.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { eventually } from './support/eventually.ts';
import { APPS, REDIS_URL, revoke, sha256, startEventsIdp, tokensOf, uniqueChannel } from './support/idp.ts';
import {
  cachingAuthenticator,
  type Observed,
  observe,
  statusOf,
  untilRefused,
} from './support/subscriber.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const RECONNECT = { initialDelay: '50ms', maxDelay: '200ms' };

describe('subscribeRevocations over Redis', () => {
  let idp: Idp;
  let proxy: TcpProxy;
  let admin: Redis;
  let authenticator: Authenticator;
  let observed: Observed;
  let subscription: RevocationSubscription;
  let channel: string;

  before(async () => {
    channel = uniqueChannel();
    idp = await startEventsIdp({ events: { redis: { url: REDIS_URL, channel } } });
    proxy = await TcpProxy.start('127.0.0.1:6379');
    admin = new Redis(REDIS_URL);
    authenticator = cachingAuthenticator(`${idp.url}/oauth2/introspect`);
    observed = observe(authenticator);
    subscription = subscribeRevocations(observed.target, {
      source: 'redis',
      redis: { url: `redis://127.0.0.1:${proxy.port}`, channel },
      reconnect: RECONNECT,
      metrics: observed.metrics,
    });
    await subscription.ready;
  });
  after(async () => {
    await subscription?.close();
    await authenticator?.close();
    await idp?.close();
    admin?.disconnect();
    await proxy?.close();
  });

  it('is live without a flush when it subscribed at the first attempt', () => {
    assert.equal(subscription.state, 'live');
    assert.equal(observed.flushes, 0);
  });

  it('evicts a revoked opaque token at once; the next check is 401', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    const control = await tokensOf(idp, APPS.opaque);
    assert.equal(await statusOf(authenticator, access_token), 200);
    assert.equal(await statusOf(authenticator, control.access_token), 200);
    // Revoked in the store only: no event, so the cached answer stays (what events exist to fix).
    await idp.store.tokens.revoke('default', sha256(control.access_token), Math.floor(Date.now() / 1000));
    await revoke(idp, APPS.opaque, access_token);
    await untilRefused(authenticator, access_token, 'the revoked token refused');
    assert.ok(observed.evicted >= 1);
    assert.equal(await statusOf(authenticator, control.access_token), 200, 'no event, still cached');
    assert.equal(observed.flushes, 0);
  });

  it('evicts a revoked JWT by its jti', async () => {
    const { access_token } = await tokensOf(idp, APPS.jwt);
    assert.equal(await statusOf(authenticator, access_token), 200);
    const applied = observed.applied;
    await revoke(idp, APPS.jwt, access_token);
    await untilRefused(authenticator, access_token, 'the revoked JWT refused');
    assert.ok(observed.applied > applied);
  });

  it('flushes after its subscription was killed, so a token revoked during the gap is refused', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    assert.equal(await statusOf(authenticator, access_token), 200);
    const before = { applied: observed.applied, flushes: observed.flushes };

    proxy.target = undefined; // reconnections are refused until restored
    let killed = 0;
    for (const port of proxy.upstreamPorts) {
      killed += Number(await admin.client('KILL', 'ADDR', `127.0.0.1:${port}`).catch(() => 0));
    }
    assert.ok(killed >= 1, 'the subscription was killed on the Redis side');
    await eventually('the subscription down', () => subscription.state === 'down');

    await revoke(idp, APPS.opaque, access_token);
    assert.equal(await statusOf(authenticator, access_token), 200, 'stale while the subscription is down');

    proxy.restore('127.0.0.1:6379');
    await eventually('the subscription live again', () => subscription.state === 'live');
    await untilRefused(authenticator, access_token, 'the flushed cache refusing the token');
    assert.equal(observed.flushes, before.flushes + 1);
    assert.deepEqual(observed.gaps.at(-1), 'reconnected');
    assert.equal(observed.applied, before.applied, 'its event was never heard: the flush did it');
  });
});

describe('a Redis subscription that can only start late', () => {
  it('flushes once it is live', async () => {
    const proxy = await TcpProxy.start();
    const authenticator = cachingAuthenticator('http://127.0.0.1:9/introspect');
    const observed = observe(authenticator);
    const subscription = subscribeRevocations(observed.target, {
      source: 'redis',
      redis: { url: `redis://127.0.0.1:${proxy.port}`, channel: uniqueChannel() },
      reconnect: RECONNECT,
      metrics: observed.metrics,
    });
    try {
      await eventually('the subscription down', () => subscription.state === 'down');
      proxy.restore('127.0.0.1:6379');
      await subscription.ready;
      await eventually('the flush', () => observed.flushes === 1);
      assert.deepEqual(observed.gaps, ['late_start']);
    } finally {
      await subscription.close();
      await authenticator.close();
      await proxy.close();
    }
    assert.equal(subscription.state, 'closed');
  });
});

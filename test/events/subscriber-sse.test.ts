/**
 * @module test/events/subscriber-sse.test
 * End to end over the IdP's SSE stream: an authenticator caching introspection answers for an hour,
 * subscribed through a TCP proxy that fronts the IdP (its issuer is the proxy's URL, so SETs, discovery and
 * JWKS all go through it). A revoked token leaves the cache as soon as its SET is verified. A stream cut
 * while a token is revoked resumes with `Last-Event-ID` and gets the missed event replayed: no flush. An IdP
 * restarted meanwhile (same store, empty buffer) cannot replay: it answers `reset`, the subscriber flushes,
 * and the token revoked during the gap is refused. Wrong credentials keep the subscription down, retrying.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { subscribeRevocations } from '../../src/events/subscribe.ts';
import type { RevocationSubscription } from '../../src/events/types.ts';
import type { Idp } from '../../src/idp/server.ts';
import { MemoryStore } from '../../src/idp/store/memory-store.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { eventually } from './support/eventually.ts';
import { APPS, revoke, startEventsIdp, tokensOf } from './support/idp.ts';
import {
  cachingAuthenticator,
  type Observed,
  observe,
  statusOf,
  untilRefused,
} from './support/subscriber.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const RECONNECT = { initialDelay: '50ms', maxDelay: '200ms' };

describe('subscribeRevocations over the SSE stream', () => {
  const store = new MemoryStore();
  let proxy: TcpProxy;
  let idp: Idp;
  let authenticator: Authenticator;
  let observed: Observed;
  let subscription: RevocationSubscription;

  before(async () => {
    proxy = await TcpProxy.start();
    idp = await startEventsIdp({ issuer: proxy.url }, { store });
    proxy.restore(idp.url);
    authenticator = cachingAuthenticator(`${proxy.url}/oauth2/introspect`);
    observed = observe(authenticator);
    subscription = subscribeRevocations(observed.target, {
      source: 'sse',
      // No url: found as revocation_events_endpoint in the issuer's metadata.
      sse: { issuer: proxy.url, clientId: APPS.gateway.id, clientSecret: APPS.gateway.secret },
      reconnect: RECONNECT,
      metrics: observed.metrics,
    });
    await subscription.ready;
  });
  after(async () => {
    await subscription?.close();
    await authenticator?.close();
    await idp?.close();
    await proxy?.close();
    await store.close();
  });

  it('evicts a revoked token as soon as its SET is verified; the next check is 401', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    assert.equal(await statusOf(authenticator, access_token), 200);
    await revoke(idp, APPS.opaque, access_token);
    await untilRefused(authenticator, access_token, 'the revoked token refused');
    assert.equal(observed.applied, 1);
    assert.equal(observed.invalid, 0);
    assert.equal(observed.flushes, 0);
  });

  it('resumes a cut stream with Last-Event-ID: the missed event is replayed, nothing flushed', async () => {
    const { access_token } = await tokensOf(idp, APPS.jwt);
    assert.equal(await statusOf(authenticator, access_token), 200);
    proxy.cut();
    await eventually('the subscription down', () => subscription.state === 'down');
    await revoke(idp, APPS.jwt, access_token); // straight at the IdP: the subscriber hears nothing
    assert.equal(await statusOf(authenticator, access_token), 200, 'stale while the stream is down');
    proxy.restore(idp.url);
    await untilRefused(authenticator, access_token, 'the replayed event applied');
    assert.equal(observed.applied, 2);
    assert.equal(observed.flushes, 0, 'a replay is no gap');
  });

  it('flushes when the IdP cannot replay (restarted, empty buffer): reset, then 401', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    assert.equal(await statusOf(authenticator, access_token), 200);
    proxy.cut();
    await idp.close();
    idp = await startEventsIdp({ issuer: proxy.url }, { store });
    await revoke(idp, APPS.opaque, access_token);
    assert.equal(await statusOf(authenticator, access_token), 200, 'stale while the stream is down');
    proxy.restore(idp.url);
    await untilRefused(authenticator, access_token, 'the flushed cache refusing the token');
    assert.equal(observed.flushes, 1);
    assert.deepEqual(observed.gaps, ['reset']);
    assert.equal(subscription.state, 'live');
  });
});

describe('an SSE subscription with wrong credentials', () => {
  it('stays down and retries instead of trusting anything', async () => {
    const idp = await startEventsIdp();
    const authenticator = cachingAuthenticator(`${idp.url}/oauth2/introspect`);
    const observed = observe(authenticator);
    const subscription = subscribeRevocations(observed.target, {
      source: 'sse',
      sse: { issuer: idp.url, url: `${idp.url}/events/revocations`, token: 'not-a-valid-token' },
      reconnect: RECONNECT,
      metrics: observed.metrics,
    });
    try {
      await eventually('the subscription down', () => subscription.state === 'down');
      assert.equal(observed.flushes, 0);
    } finally {
      await subscription.close();
      await authenticator.close();
      await idp.close();
    }
  });
});

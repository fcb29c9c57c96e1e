/**
 * @module idp/events/hub.test
 * The SSE hub: delivery to open streams of the event's tenant only, deduplication by event id (the Redis
 * echo), bounded replay after a position, positions per tenant, and resets after a gap in its feed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RevocationEvent } from '../../events/types.ts';
import { type HubListener, RevocationHub } from './hub.ts';

function event(id: string, tenant = 'default'): RevocationEvent {
  return { id, issuer: 'https://idp', tenant, at: 1, scope: 'token', tokenHashes: [id], jtis: [] };
}

function recorder() {
  const seen: string[] = [];
  const listener: HubListener = {
    event: (e) => seen.push(e.id),
    reset: () => seen.push('reset'),
  };
  return { seen, listener };
}

describe('RevocationHub', () => {
  it('forwards each event once, to the streams of its tenant only', () => {
    const hub = new RevocationHub({ capacity: 10 });
    const a = recorder();
    const b = recorder();
    const stop = hub.listen('default', a.listener);
    hub.listen('acme', b.listener);
    assert.equal(hub.streams, 2);
    assert.equal(hub.deliver(event('1')), true);
    assert.equal(hub.deliver(event('1')), false, 'the echo of an event is dropped');
    hub.deliver(event('2', 'acme'));
    stop();
    hub.deliver(event('3'));
    assert.deepEqual(a.seen, ['1']);
    assert.deepEqual(b.seen, ['2']);
    assert.equal(hub.streams, 1);
  });

  it('replays a tenant’s events after a buffered position, oldest first', () => {
    const hub = new RevocationHub({ capacity: 10 });
    for (const [id, tenant] of [
      ['1', 'default'],
      ['2', 'acme'],
      ['3', 'default'],
      ['4', 'default'],
    ]) {
      hub.deliver(event(id, tenant));
    }
    assert.deepEqual(
      hub.since('default', '1')?.map((e) => e.id),
      ['3', '4'],
    );
    assert.deepEqual(hub.since('default', '4'), []);
    assert.equal(hub.since('default', 'unknown'), undefined);
    assert.equal(hub.since('default', '2'), undefined, 'another tenant’s position is no position here');
    assert.equal(hub.position('default'), '4');
    assert.equal(hub.position('acme'), '2');
    assert.equal(hub.position('other'), '');
  });

  it('forgets positions that fall out of the bounded buffer', () => {
    const hub = new RevocationHub({ capacity: 2 });
    hub.deliver(event('1', 'acme'));
    hub.deliver(event('2'));
    hub.deliver(event('3'));
    assert.equal(hub.since('default', '1'), undefined);
    assert.equal(hub.position('acme'), '', 'its only event was evicted');
    assert.deepEqual(
      hub.since('default', '2')?.map((e) => e.id),
      ['3'],
    );
  });

  it('resets every open stream and forgets all positions after a gap in its feed', () => {
    const hub = new RevocationHub({ capacity: 10 });
    const a = recorder();
    hub.listen('default', a.listener);
    hub.deliver(event('1'));
    hub.gap();
    assert.deepEqual(a.seen, ['1', 'reset']);
    assert.equal(hub.since('default', '1'), undefined);
    assert.equal(hub.position('default'), '');
  });
});

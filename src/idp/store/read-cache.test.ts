import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from './memory-store.ts';
import { withReadCache } from './read-cache.ts';
import { sampleClient } from './test-support/records.ts';

describe('withReadCache', () => {
  it('serves repeated reads from memory for ttl, then reads the store again', async () => {
    let now = 1_000;
    const inner = new MemoryStore();
    await inner.clients.put(sampleClient('t', 'app'));
    const cached = withReadCache(inner, { ttlMs: 2000, now: () => now });
    assert.equal((await cached.clients.get('t', 'app'))?.disabled, false);
    // A change made behind the cache's back (another process) shows after the TTL, not before.
    await inner.clients.put({ ...sampleClient('t', 'app'), disabled: true });
    assert.equal((await cached.clients.get('t', 'app'))?.disabled, false);
    now += 2001;
    assert.equal((await cached.clients.get('t', 'app'))?.disabled, true);
  });

  it('drops an entry at once on writes made through it', async () => {
    const cached = withReadCache(new MemoryStore(), { ttlMs: 60_000 });
    assert.equal(await cached.clients.get('t', 'app'), undefined, 'unknown ids are remembered too');
    await cached.clients.put(sampleClient('t', 'app'));
    assert.equal((await cached.clients.get('t', 'app'))?.clientId, 'app');
    await cached.clients.put({ ...sampleClient('t', 'app'), disabled: true });
    assert.equal((await cached.clients.get('t', 'app'))?.disabled, true);
    await cached.clients.delete('t', 'app');
    assert.equal(await cached.clients.get('t', 'app'), undefined);
    await cached.tenants.put({
      id: 'x',
      displayName: 'X',
      allowCrossTenantIntrospection: false,
      createdAt: 1,
    });
    assert.equal((await cached.tenants.get('x'))?.displayName, 'X');
    await cached.tenants.put({
      id: 'x',
      displayName: 'Y',
      allowCrossTenantIntrospection: true,
      createdAt: 1,
    });
    assert.equal((await cached.tenants.get('x'))?.allowCrossTenantIntrospection, true);
  });

  it('hands out frozen records and stays bounded', async () => {
    const inner = new MemoryStore();
    await inner.clients.put(sampleClient('t', 'app'));
    const cached = withReadCache(inner, { maxEntries: 3 });
    const client = await cached.clients.get('t', 'app');
    assert.ok(Object.isFrozen(client) && Object.isFrozen(client?.policies));
    assert.throws(() => {
      (client as { disabled: boolean }).disabled = true;
    }, TypeError);
    for (let i = 0; i < 10; i++) await cached.clients.get('t', `unknown-${i}`);
    assert.equal((await inner.clients.get('t', 'app'))?.disabled, false);
  });
});

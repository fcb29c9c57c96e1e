/**
 * @module idp/store/sqlite-token-cache.test
 * The token read cache of the SQLite store never answers from a stale record: after any write of the same
 * store (each token operation), of another store on the same file, or of a raw connection (what another
 * process or an operator's `sqlite3` does), the next read shows the change. Reads are copies, and the cache
 * stays within its bound.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { SqliteStore } from './sqlite-store.ts';
import { TokenReadCache } from './sqlite-token-cache.ts';
import { freshToken, NOW } from './test-support/records.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenguard-token-cache-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let files = 0;

async function openStores(count: number): Promise<{ file: string; stores: SqliteStore[] }> {
  const file = path.join(root, `cache-${files++}.db`);
  const stores: SqliteStore[] = [];
  for (let i = 0; i < count; i++) {
    const store = new SqliteStore({ file });
    await store.migrate();
    stores.push(store);
  }
  after(() => Promise.all(stores.map((store) => store.close())));
  return { file, stores };
}

/** Puts `token` and reads it once, so the reading store has it cached. */
async function cached(store: SqliteStore, id: string, tenant = 't1') {
  await store.tokens.put(freshToken(tenant, id));
  assert.equal((await store.tokens.get(tenant, id))?.revokedAt, undefined);
  assert.equal((await store.tokens.get(tenant, id))?.revokedAt, undefined);
}

describe('SqliteTokens read cache', () => {
  it('shows a revocation made through the same store at once, for every kind of write', async () => {
    const {
      stores: [store],
    } = await openStores(1);
    await cached(store, 'one');
    await store.tokens.revoke('t1', 'one', NOW + 1);
    assert.equal((await store.tokens.get('t1', 'one'))?.revokedAt, NOW + 1);

    await cached(store, 'family');
    await store.tokens.revokeFamily('t1', 'family-of-family', NOW + 2);
    assert.equal((await store.tokens.get('t1', 'family'))?.revokedAt, NOW + 2);

    await cached(store, 'client');
    await store.tokens.revokeWhere('t1', { clientId: 'app' }, NOW + 3);
    assert.equal((await store.tokens.get('t1', 'client'))?.revokedAt, NOW + 3);

    await cached(store, 'consumed');
    await store.tokens.consume('t1', 'consumed', NOW + 4);
    assert.equal((await store.tokens.get('t1', 'consumed'))?.consumedAt, NOW + 4);

    await cached(store, 'rewritten');
    await store.tokens.put(freshToken('t1', 'rewritten', { scope: 'changed' }));
    assert.equal((await store.tokens.get('t1', 'rewritten'))?.scope, 'changed');

    await cached(store, 'expired');
    await store.tokens.purgeExpired(NOW + 7200);
    assert.equal(await store.tokens.get('t1', 'expired'), undefined);
  });

  it('shows a revocation made by another store on the same file (another replica) at once', async () => {
    const {
      stores: [reader, writer],
    } = await openStores(2);
    await cached(reader, 'rt');
    await writer.tokens.revoke('t1', 'rt', NOW + 1);
    assert.equal((await reader.tokens.get('t1', 'rt'))?.revokedAt, NOW + 1);
    await cached(reader, 'other');
    await writer.tokens.revokeWhere('t1', { subject: 'alice' }, NOW + 2);
    assert.equal((await reader.tokens.get('t1', 'other'))?.revokedAt, NOW + 2);
  });

  it('shows a change committed by a raw connection (another process, an operator) at once', async () => {
    const {
      file,
      stores: [store],
    } = await openStores(1);
    await cached(store, 'rt');
    const db = new DatabaseSync(file);
    try {
      db.prepare("UPDATE tokens SET revoked_at = ? WHERE tenant = 't1' AND id = 'rt'").run(NOW + 9);
    } finally {
      db.close();
    }
    assert.equal((await store.tokens.get('t1', 'rt'))?.revokedAt, NOW + 9);
  });

  it('hands out copies: changing a read record changes nothing stored or cached', async () => {
    const {
      stores: [store],
    } = await openStores(1);
    await cached(store, 'rt');
    const first = await store.tokens.get('t1', 'rt');
    first!.audience.push('mutated');
    (first!.claims.nested as { deep: unknown[] }).deep.push('mutated');
    first!.revokedAt = NOW;
    assert.deepEqual(await store.tokens.get('t1', 'rt'), freshToken('t1', 'rt'));
  });

  it('keeps a __proto__ claim as a plain member, never as a prototype', async () => {
    const {
      stores: [store],
    } = await openStores(1);
    const claims = JSON.parse('{"jti":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    await store.tokens.put(freshToken('t1', 'proto', { claims }));
    await store.tokens.get('t1', 'proto');
    const read = await store.tokens.get('t1', 'proto');
    assert.equal(Object.getPrototypeOf(read!.claims), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(read!.claims, '__proto__')?.value, { polluted: true });
    assert.equal((read!.claims as { polluted?: unknown }).polluted, undefined);
  });

  it('keeps tenants apart and stays within its bound', async () => {
    const file = path.join(root, `bound-${files++}.db`);
    const db = new DatabaseSync(file);
    after(() => db.close());
    const cache = new TokenReadCache(() => db, 2);
    cache.remember('ab', 'c', freshToken('ab', 'c'));
    assert.equal(cache.get('a', 'bc'), undefined);
    cache.remember('a', 'bc', freshToken('a', 'bc'));
    cache.remember('t', 'x', freshToken('t', 'x'));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('ab', 'c'), undefined, 'the oldest entry went first');
    assert.equal(cache.get('a', 'bc')?.tenant, 'a');
  });
});

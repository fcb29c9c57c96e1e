/**
 * @module idp/store/postgres-key-rotation.test
 * Signing keys shared by replicas: two key managers, each on its own PostgresStore (own pool) over one
 * schema, the way two IdP processes are. Replicas starting or rotating at the same moment make one key;
 * each signs with and publishes the other's new key once its `keyRefresh` has passed; the key lock is
 * exclusive across stores and its work is one transaction.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CompactSign, compactVerify } from 'jose';
import { KeyManager } from '../keys/key-manager.ts';
import type { PostgresStore } from './postgres-store.ts';
import { TestSchemas } from './test-support/postgres.ts';
import { sampleKey } from './test-support/records.ts';

const schemas = new TestSchemas();
const stores: PostgresStore[] = [];
after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await schemas.dropAll();
});

const START = 1_800_000_000;

/** Two stores on one fresh schema (two replicas' views of one database), migrated. */
async function replicas(parameters: Record<string, string> = {}): Promise<[PostgresStore, PostgresStore]> {
  const schema = schemas.next();
  const pair = await Promise.all([schemas.store(schema, parameters), schemas.store(schema, parameters)]);
  stores.push(...pair);
  await Promise.all(pair.map((store) => store.migrate()));
  return pair;
}

async function sign(keys: KeyManager, tenant: string): Promise<string> {
  const key = await keys.activeKey(tenant);
  return new CompactSign(new TextEncoder().encode('payload'))
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
}

describe('signing keys on PostgreSQL, two replicas', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = START;
  });

  it('replicas asking for their first key at the same moment make exactly one', async () => {
    const [a, b] = await replicas();
    const managers = [new KeyManager({ store: a, now }), new KeyManager({ store: b, now })];
    const kids = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => (await managers[i % 2].activeKey('t1')).kid),
    );
    const stored = await a.keys.list('t1');
    assert.equal(stored.length, 1);
    assert.deepEqual(new Set(kids), new Set([stored[0].kid]));
    assert.deepEqual(await managers[0].jwks('t1'), await managers[1].jwks('t1'));
  });

  it('replicas rotating at the same moment make one new key; a later rotation makes another', async () => {
    const [a, b] = await replicas();
    const first = new KeyManager({ store: a, now });
    const second = new KeyManager({ store: b, now });
    const old = await first.activeKey('t1');
    clock += 10;
    const [rotatedA, rotatedB] = await Promise.all([first.rotate('t1'), second.rotate('t1')]);
    assert.equal(rotatedA.kid, rotatedB.kid, 'both rotations report the one new key');
    const stored = await a.keys.list('t1');
    assert.equal(stored.length, 2);
    assert.equal(stored.find((key) => key.kid === old.kid)?.retiredAt, START + 10);
    assert.equal(stored.find((key) => key.kid === rotatedA.kid)?.retiredAt, undefined);

    clock += 10;
    const again = await second.rotate('t1');
    assert.notEqual(again.kid, rotatedA.kid);
    assert.equal((await a.keys.list('t1')).length, 3);
  });

  it("each replica signs with and publishes the other's new key once keyRefresh has passed", async () => {
    const [a, b] = await replicas({ keyRefresh: '5s' });
    const rotating = new KeyManager({ store: a, now });
    const other = new KeyManager({ store: b, now });
    const old = await other.activeKey('t1');
    assert.equal((await rotating.activeKey('t1')).kid, old.kid);

    clock += 1;
    const created = await rotating.rotate('t1');
    const jws = await sign(rotating, 't1');
    // A token of the new key verifies at once: its unknown kid makes the other replica re-read.
    await compactVerify(jws, (await other.verificationKey('t1', created.kid))!);

    const fresh = new KeyManager({ store: b, now });
    await fresh.activeKey('t1');
    clock += 1;
    await rotating.rotate('t1');
    const stale = (await fresh.jwks('t1')).keys.map((jwk) => jwk.kid);
    assert.equal(stale.length, 2, 'within keyRefresh the cached list is used');
    clock += 5;
    assert.deepEqual(await fresh.jwks('t1'), await rotating.jwks('t1'), 'the same JWKS after keyRefresh');
    assert.equal((await fresh.activeKey('t1')).kid, (await rotating.activeKey('t1')).kid);
    // The old key, retired, still verifies what it signed while published (RFC 7517 §5 rollover).
    assert.ok(await fresh.verificationKey('t1', old.kid));
  });

  it('the key lock is exclusive across stores, per tenant, and its work is one transaction', async () => {
    const [a, b] = await replicas();
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} in`);
      await delay(50);
      events.push(`${name} out`);
    };
    await Promise.all([a.keys.exclusive('t1', work('a')), b.keys.exclusive('t1', work('b'))]);
    assert.ok(
      ['a in,a out,b in,b out', 'b in,b out,a in,a out'].includes(events.join()),
      `not interleaved: ${events.join()}`,
    );

    await assert.rejects(
      a.keys.exclusive('t1', async () => {
        await a.keys.put(sampleKey('t1', 'half-made'));
        assert.equal((await a.keys.list('t1')).length, 1, 'seen inside the transaction');
        throw new Error('rotation failed midway');
      }),
      /rotation failed midway/,
    );
    assert.deepEqual(await b.keys.list('t1'), [], 'rolled back: nothing half-made is left');
  });

  it('advises the key manager: keyRefresh of the URL, 30 s by default', async () => {
    const [a] = await replicas({ keyRefresh: '250ms' });
    assert.equal(a.keys.refreshSeconds, 0.25);
    const [b] = await replicas();
    assert.equal(b.keys.refreshSeconds, 30);
  });
});

/**
 * @module idp/keys/key-manager.test
 * KeyManager over a real MemoryStore with an injected clock: first key (single flight), RFC 7638 kids,
 * JWKS contents, rotation and the publication window, other instances' rotations, import caching.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { CompactSign, calculateJwkThumbprint, compactVerify } from 'jose';
import { MemoryStore } from '../store/memory-store.ts';
import { KeyManager } from './key-manager.ts';

const START = 1_700_000_000;
const LIFETIME = 3600;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

async function sign(keys: KeyManager, tenant: string): Promise<string> {
  const key = await keys.activeKey(tenant);
  return new CompactSign(new TextEncoder().encode('payload'))
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
}

describe('KeyManager', () => {
  let store: MemoryStore;
  let clock: number;
  const now = () => clock;
  const manager = (options: { algorithm?: string } = {}) =>
    new KeyManager({ store, now, maxTokenLifetime: LIFETIME, ...options });

  beforeEach(() => {
    store = new MemoryStore();
    clock = START;
  });

  it('creates exactly one key for ten concurrent first calls of a tenant', async () => {
    const keys = manager();
    const active = await Promise.all(Array.from({ length: 10 }, () => keys.activeKey('t1')));
    const stored = await store.keys.list('t1');
    assert.equal(stored.length, 1);
    assert.ok(active.every((key) => key.kid === stored[0].kid));
    assert.equal(stored[0].alg, 'RS256');
    assert.equal(stored[0].createdAt, START);
    assert.equal(stored[0].retiredAt, undefined);
  });

  it('creates one key when first calls of jwks and activeKey race', async () => {
    const keys = manager();
    await Promise.all([keys.jwks('t1'), keys.activeKey('t1'), keys.jwks('t1')]);
    assert.equal((await store.keys.list('t1')).length, 1);
  });

  it('names a key by the RFC 7638 thumbprint of its public JWK and publishes no private member', async () => {
    const keys = manager();
    const { kid } = await keys.activeKey('t1');
    const { keys: published } = await keys.jwks('t1');
    assert.equal(published.length, 1);
    const [jwk] = published;
    assert.equal(jwk.kid, kid);
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.use, 'sig');
    assert.equal(await calculateJwkThumbprint(jwk, 'sha256'), kid);
    for (const member of PRIVATE_MEMBERS) assert.equal(member in jwk, false, member);
    const [stored] = await store.keys.list('t1');
    assert.equal(stored.privateJwk.kid, kid);
    assert.equal(typeof stored.privateJwk.d, 'string');
  });

  it('signs with the active key and verifies with verificationKey', async () => {
    const keys = manager();
    const jws = await sign(keys, 't1');
    const { kid } = await keys.activeKey('t1');
    const key = await keys.verificationKey('t1', kid);
    assert.ok(key);
    const { payload } = await compactVerify(jws, key);
    assert.equal(new TextDecoder().decode(payload), 'payload');
  });

  it('keeps tenants apart: each has its own key, and one tenant never verifies with another one key', async () => {
    const keys = manager();
    const one = await keys.activeKey('t1');
    const two = await keys.activeKey('t2');
    assert.notEqual(one.kid, two.kid);
    assert.equal(await keys.verificationKey('t2', one.kid), undefined);
    assert.ok(await keys.verificationKey('t1', one.kid));
  });

  it('never creates a key when asked for a verification key', async () => {
    const keys = manager();
    assert.equal(await keys.verificationKey('t1', 'no-such-kid'), undefined);
    assert.deepEqual(await store.keys.list('t1'), []);
  });

  it('rotates: the new key signs, both are published, the old one until publishUntil', async () => {
    const keys = manager();
    const old = await keys.activeKey('t1');
    const jwsBefore = await sign(keys, 't1');
    clock += 100;
    const created = await keys.rotate('t1');

    assert.equal((await keys.activeKey('t1')).kid, created.kid);
    assert.notEqual(created.kid, old.kid);
    const retired = (await store.keys.list('t1')).find((key) => key.kid === old.kid)!;
    assert.equal(retired.retiredAt, START + 100);
    assert.equal(retired.publishUntil, START + 100 + LIFETIME);
    assert.deepEqual(
      (await keys.jwks('t1')).keys.map((jwk) => jwk.kid),
      [created.kid, old.kid],
    );
    // A token signed before the rotation still verifies during the window.
    await compactVerify(jwsBefore, (await keys.verificationKey('t1', old.kid))!);

    clock = START + 100 + LIFETIME - 1;
    assert.equal((await keys.jwks('t1')).keys.length, 2);
    clock = START + 100 + LIFETIME;
    assert.deepEqual(
      (await keys.jwks('t1')).keys.map((jwk) => jwk.kid),
      [created.kid],
    );
    assert.equal(await keys.verificationKey('t1', old.kid), undefined);
  });

  it('rotates a tenant that has no key yet into exactly one active key', async () => {
    const keys = manager();
    const created = await keys.rotate('t1');
    const stored = await store.keys.list('t1');
    assert.equal(stored.length, 1);
    assert.equal((await keys.activeKey('t1')).kid, created.kid);
  });

  it('verifies with a key another instance just made: an unknown kid re-reads the store', async () => {
    const first = manager();
    const second = manager();
    await first.activeKey('t1');
    clock += 5;
    const created = await second.rotate('t1');
    assert.ok(await first.verificationKey('t1', created.kid));
    // The re-read list also tells it which key is active now.
    assert.equal((await first.activeKey('t1')).kid, created.kid);
  });

  it("signs with another instance's new key once its cached list is a minute old", async () => {
    const first = manager();
    const second = manager();
    const old = await first.activeKey('t1');
    clock += 5;
    const created = await second.rotate('t1');
    assert.equal((await first.activeKey('t1')).kid, old.kid, 'cached for up to a minute');
    clock += 60;
    assert.equal((await first.activeKey('t1')).kid, created.kid);
  });

  it('re-reads the store for unknown kids at most once a second', async () => {
    const keys = manager();
    await keys.activeKey('t1');
    let reads = 0;
    const list = store.keys.list;
    store.keys.list = (tenant) => {
      reads++;
      return list(tenant);
    };
    clock += 1;
    for (let i = 0; i < 5; i++) await keys.verificationKey('t1', `unknown-${i}`);
    assert.equal(reads, 1);
    clock += 1;
    await keys.verificationKey('t1', 'unknown');
    assert.equal(reads, 2);
  });

  it('imports a stored key once and reuses the key object', async () => {
    await manager().activeKey('t1');
    const fresh = manager();
    const first = await fresh.activeKey('t1');
    const second = await fresh.activeKey('t1');
    assert.equal(first.privateKey, second.privateKey);
    const verifying = await fresh.verificationKey('t1', first.kid);
    assert.equal(await fresh.verificationKey('t1', first.kid), verifying);
  });

  it('makes keys of the configured algorithm', async () => {
    const keys = manager({ algorithm: 'ES256' });
    const active = await keys.activeKey('t1');
    assert.equal(active.alg, 'ES256');
    const [jwk] = (await keys.jwks('t1')).keys;
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    const jws = await sign(keys, 't1');
    await compactVerify(jws, (await keys.verificationKey('t1', active.kid))!);
  });

  it('recovers after a store failure instead of caching it', async () => {
    const keys = manager();
    const list = store.keys.list;
    store.keys.list = async () => {
      throw new Error('store down');
    };
    await assert.rejects(keys.activeKey('t1'), /store down/);
    store.keys.list = list;
    assert.ok((await keys.activeKey('t1')).kid);
    assert.equal((await store.keys.list('t1')).length, 1);
  });
});

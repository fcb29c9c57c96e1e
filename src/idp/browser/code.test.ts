/**
 * @module idp/browser/code.test
 * Sealed authorization codes: round trip, unreadable in transit, tamper-evident, tenant-bound, expiring,
 * and redeemable by another instance sharing the store (same keys, no shared memory).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyManager } from '../keys/key-manager.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { type AuthorizationCode, CodeSealer } from './code.ts';

const NOW = 1_800_000_000;

function code(overrides: Partial<AuthorizationCode> = {}): AuthorizationCode {
  return {
    jti: 'c0de-1',
    tenant: 'default',
    issuer: 'https://idp.example',
    clientId: 'portal',
    redirectUri: 'https://portal.example/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: ['openid', 'profile'],
    subject: 'alice',
    authTime: NOW - 5,
    nonce: 'n-1',
    iat: NOW,
    exp: NOW + 60,
    ...overrides,
  };
}

describe('CodeSealer', () => {
  const store = new MemoryStore();
  const sealer = new CodeSealer(store, new KeyManager({ store }));

  it('round-trips a code; its contents are not readable', async () => {
    const sealed = await sealer.seal(code());
    assert.equal(sealed.split('.').length, 5, 'JWE compact');
    assert.doesNotMatch(Buffer.from(sealed.split('.')[3], 'base64url').toString('latin1'), /alice|portal/);
    assert.deepEqual(await sealer.open('default', sealed, NOW + 59), code());
  });

  it('refuses expired, other-tenant, tampered and garbage codes', async () => {
    const sealed = await sealer.seal(code());
    assert.equal(await sealer.open('default', sealed, NOW + 60), undefined, 'expired at exp');
    assert.equal(await sealer.open('other', sealed, NOW), undefined);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    parts[3] = flipped.toString('base64url');
    assert.equal(await sealer.open('default', parts.join('.'), NOW), undefined);
    for (const garbage of ['', 'abc', 'a.b.c.d.e', `${sealed}x`]) {
      assert.equal(await sealer.open('default', garbage, NOW), undefined, garbage);
    }
  });

  it('another instance over the same store opens it (replicas)', async () => {
    const sealed = await sealer.seal(code({ jti: 'c0de-2' }));
    const replica = new CodeSealer(store, new KeyManager({ store }));
    assert.equal((await replica.open('default', sealed, NOW))?.jti, 'c0de-2');
    const stranger = new CodeSealer(new MemoryStore(), new KeyManager({ store: new MemoryStore() }));
    assert.equal(await stranger.open('default', sealed, NOW), undefined);
  });
});

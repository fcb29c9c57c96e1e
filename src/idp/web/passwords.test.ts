/**
 * @module idp/web/passwords.test
 * One generic failure whatever went wrong: unknown user, wrong password, disabled user.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword } from '../secrets.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { makeUser } from '../tokens/test-support/fixtures.ts';
import { verifyUserPassword } from './passwords.ts';

describe('verifyUserPassword', async () => {
  const store = new MemoryStore();
  const passwordHash = await hashPassword('s3cret');
  await store.users.put(makeUser({ username: 'alice', passwordHash }));
  await store.users.put(makeUser({ username: 'off', passwordHash, disabled: true }));

  it('returns the user for the right password', async () => {
    assert.equal((await verifyUserPassword(store, 'default', 'alice', 's3cret'))?.username, 'alice');
  });

  it('returns undefined for a wrong password, an unknown or disabled user, another tenant', async () => {
    assert.equal(await verifyUserPassword(store, 'default', 'alice', 'wrong'), undefined);
    assert.equal(await verifyUserPassword(store, 'default', 'nobody', 's3cret'), undefined);
    assert.equal(await verifyUserPassword(store, 'default', 'off', 's3cret'), undefined);
    assert.equal(await verifyUserPassword(store, 'other', 'alice', 's3cret'), undefined);
    assert.equal(await verifyUserPassword(store, 'default', '', ''), undefined);
  });
});

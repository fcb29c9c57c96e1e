/**
 * @module idp/config/apply.test
 * Declarations applied to a store: hashed credentials that verify, the default tenant, and idempotence
 * (a second start with the same config changes no record).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { verifyPassword, verifySecret } from '../secrets.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { applyDeclarations } from './apply.ts';
import { parseIdpConfig } from './load.ts';

const config = parseIdpConfig({
  tenants: [{ id: 'foo.com', allowCrossTenantIntrospection: true }],
  clients: [
    { id: 'user', secret: 'user-pwd' },
    { id: 'legacy', secret: 's', grantTypes: ['password', 'refresh_token'], accessTokenTtl: '10m' },
  ],
  users: [{ username: 'admin', tenant: 'foo.com', password: 'admin', canIntrospect: true }],
});

it('stores hashed credentials that verify, and creates the default tenant', async () => {
  const store = new MemoryStore();
  assert.deepEqual(await applyDeclarations(store, config), { tenants: 2, clients: 2, users: 1 });
  assert.ok(await store.tenants.get('default'));
  assert.equal((await store.tenants.get('foo.com'))?.allowCrossTenantIntrospection, true);
  const user = await store.clients.get('default', 'user');
  assert.ok(user?.secretHash);
  assert.ok(user.secretHash.startsWith('sha256:'));
  assert.ok(!user.secretHash.includes('user-pwd'));
  assert.ok(verifySecret('user-pwd', user.secretHash));
  assert.deepEqual(user.authMethods, ['client_secret_basic', 'client_secret_post']);
  assert.equal(user.accessTokenTtl, 3600);
  assert.equal(user.refreshTokenTtl, 0, 'client_credentials only: no refresh tokens');
  const legacy = await store.clients.get('default', 'legacy');
  assert.equal(legacy?.accessTokenTtl, 600);
  assert.equal(legacy?.refreshTokenTtl, 86_400);
  const admin = await store.users.get('foo.com', 'admin');
  assert.ok(admin);
  assert.ok(admin.passwordHash.startsWith('scrypt:'));
  assert.ok(await verifyPassword('admin', admin.passwordHash));
});

it('is idempotent: applying again keeps every record as it was', async () => {
  const store = new MemoryStore();
  await applyDeclarations(store, config);
  const before = [
    await store.clients.list('default'),
    await store.users.list('foo.com'),
    await store.tenants.list(),
  ];
  await applyDeclarations(store, config);
  const after = [
    await store.clients.list('default'),
    await store.users.list('foo.com'),
    await store.tenants.list(),
  ];
  assert.deepEqual(after, before);
});

it('a changed secret is re-hashed; records the config does not name are left alone', async () => {
  const store = new MemoryStore();
  await applyDeclarations(store, config);
  const extra = await store.clients.get('default', 'user');
  assert.ok(extra);
  await store.clients.put({ ...extra, clientId: 'cli-added' });
  const changed = parseIdpConfig({ clients: [{ id: 'user', secret: 'new-secret' }] });
  await applyDeclarations(store, changed);
  const user = await store.clients.get('default', 'user');
  assert.ok(verifySecret('new-secret', user?.secretHash));
  assert.ok(!verifySecret('user-pwd', user?.secretHash));
  assert.ok(await store.clients.get('default', 'cli-added'));
});

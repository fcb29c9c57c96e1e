import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type StubIdp, startStubIdp } from '../../test/support/stub-idp.ts';
import { createAuthenticator } from '../pipeline/create-authenticator.ts';
import { RedisCache } from './redis-cache.ts';
import type { RedisClient } from './redis-client.ts';
import { adminClient, deleteUnder, SHARED_REDIS_URL, uniquePrefix } from './test-support/redis-server.ts';

const prefix = uniquePrefix();
let idp: StubIdp;
let admin: RedisClient;
const open: Array<{ close(): Promise<void> }> = [];

before(async () => {
  idp = await startStubIdp();
  admin = await adminClient(SHARED_REDIS_URL);
});
after(async () => {
  await Promise.all(open.map((resource) => resource.close()));
  await idp.close();
  await deleteUnder(admin, prefix);
  admin.disconnect();
});

/** One replica: an authenticator introspecting at the stub IdP, its answers cached in the shared Redis. */
async function replica() {
  const cache = new RedisCache({ url: SHARED_REDIS_URL, keyPrefix: prefix });
  open.push(cache);
  await cache.whenReady();
  const authenticator = createAuthenticator({
    config: {
      introspection: {
        endpoint: `${idp.url}/introspect`,
        clientAuth: { accessToken: 'access-token-with-introspection-permission' },
      },
    },
    caches: { introspection: cache },
  });
  open.push(authenticator);
  return authenticator;
}

it("serves a second replica's first request from the answer the first replica cached in Redis", async () => {
  const [first, second] = [await replica(), await replica()];
  idp.opaque.set('opaque-token-for-two-replicas', { sub: 'quinn', client_id: 'svc', scope: 'read' });
  const request = { headers: { authorization: 'Bearer opaque-token-for-two-replicas' } };

  const principal = await first.authenticate(request);
  assert.equal(principal.subject, 'quinn');
  assert.equal(idp.calls.length, 1);

  const served = await second.authenticate(request);
  assert.equal(served.subject, 'quinn');
  assert.deepEqual([...served.scopes], ['read']);
  assert.equal(idp.calls.length, 1, 'the IdP was asked once for both replicas');
  const stored = await admin.keys(`${prefix}*`);
  assert.ok(!stored.some((key) => key.includes('opaque-token')), 'keys hold the token hash only');
});

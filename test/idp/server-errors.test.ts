/**
 * @module test/idp/server-errors.test
 * What a failure inside the IdP looks like from outside: a store that throws gives a generic 500
 * `server_error` (no message, no stack) and an error log line; a store reporting itself unavailable gives
 * 503 with `Retry-After`; the server goes on answering.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { serviceUnavailable } from '../../src/errors/tokenguard-error.ts';
import { createIdp } from '../../src/idp/server.ts';
import { MemoryStore } from '../../src/idp/store/memory-store.ts';
import type { IdpStore } from '../../src/idp/store/types.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { basic, postForm, seedConfig } from './support/seed-idp.ts';

/** A memory store whose client lookups fail while `failure` is set. */
function flakyStore(): { store: IdpStore; fail(error: Error | undefined): void } {
  const inner = new MemoryStore();
  let failure: Error | undefined;
  const store: IdpStore = {
    migrate: () => inner.migrate(),
    close: () => inner.close(),
    tenants: inner.tenants,
    users: inner.users,
    tokens: inner.tokens,
    keys: inner.keys,
    replay: inner.replay,
    clients: {
      get: (tenant, id) => (failure ? Promise.reject(failure) : inner.clients.get(tenant, id)),
      list: (tenant) => inner.clients.list(tenant),
      put: (client) => inner.clients.put(client),
      delete: (tenant, id) => inner.clients.delete(tenant, id),
    },
  };
  return { store, fail: (error) => (failure = error) };
}

it('a broken store: 500 server_error with a generic body, logged; unavailable: 503 + Retry-After', async () => {
  const { store, fail } = flakyStore();
  const lines: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  const idp = await createIdp(seedConfig(), { store, logger });
  const request = () =>
    postForm(
      `${idp.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic('svc', 'svc-secret') },
    );
  try {
    fail(new Error('disk I/O error at /var/lib/secret/path'));
    const broken = await request();
    assert.equal(broken.status, 500);
    assert.deepEqual(broken.json(), {
      error: 'server_error',
      error_description: 'The server failed to handle the request.',
    });
    assert.ok(
      lines.some((line) => line.includes('"level":"error"') && line.includes('disk I/O error')),
      'logged for operators',
    );

    fail(serviceUnavailable('idp_unavailable', 'database locked', 7));
    const unavailable = await request();
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '7');
    assert.equal(unavailable.json().error, 'server_error');

    fail(undefined);
    assert.equal((await request()).status, 200);
  } finally {
    await idp.close();
  }
});

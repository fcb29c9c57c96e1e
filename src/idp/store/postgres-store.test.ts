/**
 * @module idp/store/postgres-store.test
 * The PostgreSQL store against the store contract (each test on a schema of its own), then what only a
 * database shared by replicas can show: migrations racing on a fresh schema, consumption racing over
 * separate pools, visibility between stores, schema isolation, the types and indexes of the tables, and a
 * database that cannot be reached.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closedPortUrl } from '../../../test/support/loopback.ts';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { loadPg } from '../../util/optional-peer.ts';
import { storeConformance } from './conformance.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { migratePostgres, POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { parsePostgresUrl } from './postgres-settings.ts';
import { PostgresStore } from './postgres-store.ts';
import { TestSchemas } from './test-support/postgres.ts';
import {
  freshToken,
  NOW,
  sampleClient,
  sampleKey,
  sampleTenant,
  sampleToken,
} from './test-support/records.ts';

const schemas = new TestSchemas();
after(() => schemas.dropAll());

storeConformance('PostgresStore', () => schemas.store());

async function migrated(
  schema = schemas.next(),
  parameters: Record<string, string> = {},
): Promise<PostgresStore> {
  const store = await schemas.store(schema, parameters);
  await store.migrate();
  return store;
}

describe('PostgresStore', () => {
  it('four replicas migrating one fresh schema at once: one migrates, all succeed, each version once', async () => {
    const schema = schemas.next();
    const pg = await loadPg('idp.store');
    const databases = Array.from(
      { length: 4 },
      () => new PostgresDatabase(pg, parsePostgresUrl(schemas.url(schema))),
    );
    try {
      const results = await Promise.all(databases.map((db) => migratePostgres(db, schema)));
      const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
      assert.deepEqual(results.map(({ from, to }) => `${from}->${to}`).sort(), [
        `0->${latest}`,
        ...Array(3).fill(`${latest}->${latest}`),
      ]);
    } finally {
      await Promise.all(databases.map((db) => db.close()));
    }
    const versions = await schemas.inspect<{ version: number }>(
      schema,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      versions.map((row) => row.version),
      POSTGRES_MIGRATIONS.map((migration) => migration.version),
    );
  });

  it('four stores starting together on a fresh schema all work on the same tables', async () => {
    const schema = schemas.next();
    const stores = await Promise.all(Array.from({ length: 4 }, () => schemas.store(schema)));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      await stores[0].tokens.put(freshToken('t1', 'shared'));
      for (const store of stores) assert.equal((await store.tokens.get('t1', 'shared'))?.id, 'shared');
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('migrate twice is a no-op that keeps the data', async () => {
    const schema = schemas.next();
    const store = await migrated(schema);
    try {
      await store.tokens.put(freshToken('t1', 'kept'));
      const tables = () =>
        schemas.inspect(
          schema,
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [schema],
        );
      const before = await tables();
      await store.migrate();
      assert.deepEqual(await tables(), before);
      assert.equal((await schemas.inspect(schema, 'SELECT * FROM schema_migrations')).length, 1);
      assert.equal((await store.tokens.get('t1', 'kept'))?.id, 'kept');
    } finally {
      await store.close();
    }
  });

  it('refuses a schema newer than it knows, naming idp.store', async () => {
    const schema = schemas.next();
    await (await migrated(schema)).close();
    await schemas.inspect(schema, "INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
    const store = await schemas.store(schema);
    try {
      await assert.rejects(
        store.migrate(),
        (error) =>
          isTokenguardError(error) &&
          error.code === 'configInvalid' &&
          error.path === 'idp.store' &&
          /version 999, newer than this tokenguard knows/.test(error.message),
      );
    } finally {
      await store.close();
    }
  });

  it('20 consumes of one refresh token racing over four pools: exactly one is not a replay', async () => {
    const schema = schemas.next();
    const stores = await Promise.all(Array.from({ length: 4 }, () => migrated(schema)));
    try {
      await stores[0].tokens.put(freshToken('t1', 'rt'));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 4].tokens.consume('t1', 'rt', NOW + i)),
      );
      const winners = results.filter((result) => result?.replayed === false);
      assert.equal(winners.length, 1);
      assert.equal(results.filter((result) => result?.replayed === true).length, 19);
      const consumedAt = winners[0]?.token.consumedAt;
      // Every replay reports the winner's consumption, not the state it found before waiting for it.
      for (const result of results) assert.equal(result?.token.consumedAt, consumedAt);
      assert.equal((await stores[3].tokens.get('t1', 'rt'))?.consumedAt, consumedAt);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('revocations and jti records of one store hold for another on the same schema', async () => {
    const schema = schemas.next();
    const [a, b] = await Promise.all([migrated(schema), migrated(schema)]);
    try {
      await a.tokens.put(freshToken('t1', 'one', { familyId: 'f' }));
      await a.tokens.put(freshToken('t1', 'two', { familyId: 'f' }));
      assert.equal(await b.tokens.revokeFamily('t1', 'f', NOW), 2);
      assert.equal(await a.tokens.revokeFamily('t1', 'f', NOW + 1), 0);
      assert.equal((await a.tokens.consume('t1', 'one', NOW + 2))?.replayed, true);
      const jtis = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).replay.remember('t1', 'jti', NOW + 60)),
      );
      assert.equal(jtis.filter(Boolean).length, 1, 'one of ten concurrent remembers records the jti');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('schemas isolate: a store sees only the records of its own schema', async () => {
    const [a, b] = await Promise.all([migrated(), migrated()]);
    try {
      await a.tenants.put(sampleTenant('acme'));
      await a.tokens.put(freshToken('t1', 'tok'));
      assert.equal(await b.tenants.get('acme'), undefined);
      assert.equal(await b.tokens.get('t1', 'tok'), undefined);
      assert.equal(await b.tokens.revokeWhere('t1', { subject: 'alice' }, NOW), 0);
      assert.equal(await a.tokens.revokeWhere('t1', { subject: 'alice' }, NOW), 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores epoch seconds as bigint and records as jsonb, indexed for its queries', async () => {
    const schema = schemas.next();
    const store = await migrated(schema);
    try {
      await store.tokens.put(sampleToken('acme', 'full'));
      await store.clients.put(sampleClient('acme', 'app'));
      await store.keys.put(sampleKey('acme', 'k1'));
      const types = await schemas.inspect<{ table_name: string; column_name: string; data_type: string }>(
        schema,
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND column_name IN ('expires_at', 'revoked_at', 'consumed_at', 'data')`,
        [schema],
      );
      for (const { table_name, column_name, data_type } of types) {
        assert.equal(data_type, column_name === 'data' ? 'jsonb' : 'bigint', `${table_name}.${column_name}`);
      }
      // The records are JSON the database itself can query, not opaque text.
      const [claims] = await schemas.inspect<{ jti: string; policies: number }>(
        schema,
        `SELECT data->'claims'->>'jti' AS jti,
                (SELECT jsonb_array_length(data->'policies') FROM clients WHERE id = 'app') AS policies
         FROM tokens WHERE id = 'full'`,
      );
      assert.deepEqual(claims, {
        jti: sampleToken('acme', 'full').claims.jti,
        policies: sampleClient('acme', 'app').policies.length,
      });
      const indexes = await schemas.inspect<{ indexdef: string }>(
        schema,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('tokens', 'replay')",
        [schema],
      );
      const definitions = indexes.map((row) => row.indexdef.replace(/^.* USING btree /, ''));
      for (const columns of [
        '(tenant, id)',
        '(tenant, family_id)',
        '(tenant, client_id)',
        '(tenant, subject)',
      ])
        assert.ok(definitions.includes(columns), `tokens index ${columns}`);
      assert.ok(definitions.includes('(expires_at)'), 'expiry purge index');
    } finally {
      await store.close();
    }
  });

  it('an id holding NUL (which no text value can) finds nothing and fails no request', async () => {
    const store = await migrated();
    try {
      await store.tokens.put(freshToken('t1', 'tok'));
      assert.equal(await store.tokens.get('t1', 'tok\0'), undefined);
      assert.equal(await store.clients.get('t1', 'app\0'), undefined);
      assert.equal(await store.users.delete('t1', '\0'), false);
      assert.equal(await store.tokens.revoke('t1', 'tok\0', NOW), false);
      assert.equal(await store.tokens.revokeWhere('t1', { subject: 'alice\0' }, NOW), 0);
      assert.equal(await store.tokens.consume('t1', 'tok\0', NOW), undefined);
      assert.deepEqual(await store.tokens.list('t1', { clientId: '\0' }), []);
      assert.equal(await store.replay.remember('t1', 'jti\0', NOW), false, 'refused: it cannot be recorded');
      assert.equal((await store.tokens.get('t1', 'tok'))?.revokedAt, undefined);
    } finally {
      await store.close();
    }
  });

  it('a database that cannot be reached fails migrate with idp.store, the password never shown', async () => {
    const port = new URL(await closedPortUrl()).port;
    const store = await PostgresStore.open(
      `postgres://idp:s3cret-pw@127.0.0.1:${port}/test?schema=${schemas.next()}&connectTimeout=2s`,
    );
    try {
      await assert.rejects(store.migrate(), (error) => {
        assert.ok(isTokenguardError(error) && error.code === 'configInvalid', String(error));
        assert.equal(error.path, 'idp.store');
        assert.match(error.message, new RegExp(`postgres://idp:\\*\\*\\*@127\\.0\\.0\\.1:${port}/test`));
        assert.match(error.message, /ECONNREFUSED/);
        assert.doesNotMatch(error.message, /s3cret-pw/);
        return true;
      });
      // After start-up, the same failure is an outage: 503 with Retry-After, not a 500.
      await assert.rejects(store.tokens.get('t1', 'x'), (error) => {
        assert.ok(isTokenguardError(error) && error.code === 'serviceUnavailable', String(error));
        assert.equal(error.reason, 'store_unavailable');
        assert.equal(error.httpStatus, 503);
        assert.doesNotMatch(error.message, /s3cret-pw/);
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it('close is idempotent; a closed store answers unavailable', async () => {
    const store = await migrated();
    await store.close();
    await store.close();
    await assert.rejects(
      store.tokens.get('t1', 'x'),
      (error) => isTokenguardError(error) && error.code === 'serviceUnavailable',
    );
  });
});

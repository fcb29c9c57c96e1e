/**
 * @module idp/store/sqlite-store.test
 * The SQLite store against the store contract, on a file and in memory, then what only a file shared by
 * instances and processes can show: persistence, visibility, atomic consumption across processes, and a
 * database that survives a writer killed mid-flight.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { storeConformance } from './conformance.ts';
import { SCHEMA_MIGRATIONS } from './migrations.ts';
import { SqliteStore } from './sqlite-store.ts';
import { Child } from './test-support/child.ts';
import {
  freshToken,
  NOW,
  sampleClient,
  sampleKey,
  sampleTenant,
  sampleToken,
  sampleUser,
} from './test-support/records.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenguard-sqlite-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Tests with child processes fail, rather than hang the run, if a child never answers. */
const CHILD_TEST = { timeout: 60_000 };

let files = 0;
/** A path for a new database file of its own. */
const newFile = () => path.join(root, `store-${files++}.db`);

async function openMigrated(file: string): Promise<SqliteStore> {
  const store = new SqliteStore({ file });
  await store.migrate();
  return store;
}

/** Runs `work` on a raw connection to `file` (what an operator's `sqlite3` would see). */
function inspect<T>(file: string, work: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

storeConformance('SqliteStore on a file', async () => new SqliteStore({ file: newFile() }));
storeConformance('SqliteStore in memory', async () => new SqliteStore({ file: ':memory:' }));

describe('SqliteStore', () => {
  it('opens the file in WAL mode', async () => {
    const file = newFile();
    const store = await openMigrated(file);
    await store.close();
    assert.equal(
      inspect(file, (db) => db.prepare('PRAGMA journal_mode').get()?.journal_mode),
      'wal',
    );
  });

  it('keeps every record across a close and a reopen of the file', async () => {
    const file = newFile();
    const first = await openMigrated(file);
    await first.tenants.put(sampleTenant('acme'));
    await first.clients.put(sampleClient('acme', 'app'));
    await first.users.put(sampleUser('acme', 'alice'));
    await first.keys.put(sampleKey('acme', 'k1'));
    await first.tokens.put(sampleToken('acme', 'full'));
    await first.tokens.put(freshToken('acme', 'revoked'));
    await first.tokens.put(freshToken('acme', 'consumed'));
    await first.tokens.revoke('acme', 'revoked', NOW + 1);
    await first.tokens.consume('acme', 'consumed', NOW + 2);
    await first.replay.remember('acme', 'jti', NOW + 60);
    await first.close();

    const second = await openMigrated(file);
    assert.deepEqual(await second.tenants.get('acme'), sampleTenant('acme'));
    assert.deepEqual(await second.clients.get('acme', 'app'), sampleClient('acme', 'app'));
    assert.deepEqual(await second.users.get('acme', 'alice'), sampleUser('acme', 'alice'));
    assert.deepEqual(await second.keys.list('acme'), [sampleKey('acme', 'k1')]);
    assert.deepEqual(await second.tokens.get('acme', 'full'), sampleToken('acme', 'full'));
    assert.equal((await second.tokens.get('acme', 'revoked'))?.revokedAt, NOW + 1);
    assert.equal((await second.tokens.consume('acme', 'consumed', NOW + 3))?.replayed, true);
    assert.equal(await second.replay.remember('acme', 'jti', NOW + 60), false);
    await second.close();
  });

  it('commits concurrent token writes together, and a bad row fails alone', async () => {
    const store = new SqliteStore({ file: path.join(root, 'group-commit.db') });
    await store.migrate();
    try {
      const good = Array.from({ length: 40 }, (_, i) => sampleToken('acme', `batch-${i}`));
      // A NOT NULL column left null: SQLite refuses this row; the batch must still land for the others.
      const bad = { ...sampleToken('acme', 'bad'), clientId: null as unknown as string };
      const results = await Promise.allSettled([...good, bad].map((token) => store.tokens.put(token)));
      assert.deepEqual(
        results.map((result) => result.status),
        [...good.map(() => 'fulfilled'), 'rejected'],
      );
      for (const token of good) assert.equal((await store.tokens.get('acme', token.id))?.id, token.id);
      assert.equal(await store.tokens.get('acme', 'bad'), undefined);
    } finally {
      await store.close();
    }
  });

  it('two instances on one file see each other’s writes', async () => {
    const file = newFile();
    const a = await openMigrated(file);
    const b = await openMigrated(file);
    await a.tokens.put(freshToken('t1', 'rt'));
    assert.equal((await b.tokens.get('t1', 'rt'))?.id, 'rt');
    assert.equal(await b.tokens.revokeWhere('t1', { subject: 'alice' }, NOW), 1);
    assert.equal((await a.tokens.get('t1', 'rt'))?.revokedAt, NOW);
    await b.keys.put(sampleKey('t1', 'k1'));
    assert.equal((await a.keys.list('t1')).length, 1);
    assert.equal(await a.replay.remember('t1', 'jti', NOW), true);
    assert.equal(await b.replay.remember('t1', 'jti', NOW), false);
    await a.close();
    await b.close();
  });

  it('two instances consuming one token concurrently: one wins', async () => {
    const file = newFile();
    const a = await openMigrated(file);
    const b = await openMigrated(file);
    await a.tokens.put(freshToken('t1', 'rt'));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).tokens.consume('t1', 'rt', NOW + i)),
    );
    const winners = results.filter((result) => result?.replayed === false);
    assert.equal(winners.length, 1);
    assert.equal((await a.tokens.get('t1', 'rt'))?.consumedAt, winners[0]?.token.consumedAt);
    await a.close();
    await b.close();
  });

  it(
    'processes racing to consume the same tokens: each token has exactly one winner',
    CHILD_TEST,
    async () => {
      const file = newFile();
      const count = 200;
      const setup = await openMigrated(file);
      for (let i = 0; i < count; i++) await setup.tokens.put(freshToken('t1', `rt-${i}`));
      await setup.close();

      const children = Array.from({ length: 4 }, () => new Child('consume.child.ts', [file, String(count)]));
      try {
        await Promise.all(children.map((child) => child.waitFor((line) => line === 'ready')));
        for (const child of children) child.send('go');
        await Promise.all(children.map((child) => child.succeeded()));
      } finally {
        for (const child of children) child.kill('SIGKILL');
      }

      const winnerOf = new Map<string, number>();
      for (const child of children) {
        for (const line of child.lines.filter((l) => l.startsWith('won '))) {
          const id = line.slice('won '.length);
          assert.equal(winnerOf.has(id), false, `${id} was won twice`);
          winnerOf.set(id, child.pid);
        }
      }
      assert.equal(winnerOf.size, count);
      // Each child consumes with its pid as the time: the stored consumption is the winner's.
      const store = await openMigrated(file);
      for (const [id, pid] of winnerOf) assert.equal((await store.tokens.get('t1', id))?.consumedAt, pid);
      await store.close();
    },
  );

  it('migrate twice is a no-op', async () => {
    const file = newFile();
    const store = await openMigrated(file);
    await store.tokens.put(freshToken('t1', 'kept'));
    const schema = () => inspect(file, (db) => db.prepare('SELECT type, name, sql FROM sqlite_schema').all());
    const before = schema();
    await store.migrate();
    assert.deepEqual(schema(), before);
    const versions = inspect(file, (db) => db.prepare('SELECT version FROM schema_migrations').all());
    assert.deepEqual(
      versions.map((row) => row.version),
      SCHEMA_MIGRATIONS.map((migration) => migration.version),
    );
    assert.equal((await store.tokens.get('t1', 'kept'))?.id, 'kept');
    await store.close();
  });

  it('refuses to be used before migrate()', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    await assert.rejects(store.tokens.get('t1', 'x'), /used before migrate\(\)/);
    await store.close();
  });

  it('a path that cannot be opened is a configInvalid error naming it', () => {
    const notADirectory = path.join(root, 'plain-file');
    fs.writeFileSync(notADirectory, '');
    const file = path.join(notADirectory, 'tokenguard.db');
    assert.throws(
      () => new SqliteStore({ file }),
      (error) =>
        isTokenguardError(error) &&
        error.code === 'configInvalid' &&
        error.path === file &&
        error.message.includes(`${file}: cannot open the SQLite database`),
    );
  });

  it('a file that is not a database is a configInvalid error', () => {
    const file = path.join(root, 'garbage.db');
    fs.writeFileSync(file, 'this is not a database, just text long enough to have a header'.repeat(20));
    assert.throws(
      () => new SqliteStore({ file }),
      (error) => isTokenguardError(error) && error.code === 'configInvalid' && error.path === file,
    );
  });

  it(
    'a writer killed mid-loop (SIGKILL) leaves a sound database with every committed write',
    CHILD_TEST,
    async () => {
      const file = newFile();
      const writer = new Child('write-tokens.child.ts', [file]);
      try {
        // Enough writes to be well inside the loop; it is killed wherever it happens to be.
        await writer.waitFor((line) => line.startsWith('put '), 300);
      } finally {
        writer.kill('SIGKILL');
      }
      assert.equal((await writer.exited).signal, 'SIGKILL');

      assert.equal(
        inspect(file, (db) => db.prepare('PRAGMA integrity_check').get()?.integrity_check),
        'ok',
      );
      const committed = (verb: string) =>
        writer.lines.filter((line) => line.startsWith(`${verb} `)).map((line) => line.slice(verb.length + 1));
      const store = await openMigrated(file);
      for (const id of committed('put')) assert.equal((await store.tokens.get('t1', id))?.id, id, id);
      for (const id of committed('revoked')) {
        assert.notEqual((await store.tokens.get('t1', id))?.revokedAt, undefined, `${id} revoked`);
      }
      // The store still takes writes.
      await store.tokens.put(freshToken('t1', 'after-crash'));
      assert.equal((await store.tokens.get('t1', 'after-crash'))?.id, 'after-crash');
      await store.close();
    },
  );
});

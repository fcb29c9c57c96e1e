/**
 * @module idp/store/migrations.test
 * Schema migrations: each applied once, atomically, in order; a newer database refused; processes starting
 * together on a new file migrate it once between them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import {
  latestVersion,
  type Migration,
  migrateSchema,
  SCHEMA_MIGRATIONS,
  schemaVersion,
} from './migrations.ts';
import { openDatabase } from './sqlite-connection.ts';
import { Child } from './test-support/child.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenguard-migrations-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const tables = (db: DatabaseSync) =>
  db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);

const recorded = (db: DatabaseSync) =>
  db
    .prepare('SELECT version, description FROM schema_migrations ORDER BY version')
    .all()
    .map((row) => ({ ...row }));

const createTable = (version: number, table: string): Migration => ({
  version,
  description: `create ${table}`,
  sql: `CREATE TABLE ${table} (id TEXT PRIMARY KEY)`,
});

describe('migrateSchema', () => {
  it('brings a new database to the latest version, recording each migration once', () => {
    const db = new DatabaseSync(':memory:');
    assert.equal(schemaVersion(db), 0);
    assert.deepEqual(migrateSchema(db), { from: 0, to: latestVersion(SCHEMA_MIGRATIONS) });
    assert.deepEqual(
      recorded(db),
      SCHEMA_MIGRATIONS.map(({ version, description }) => ({ version, description })),
    );
    for (const table of ['tenants', 'clients', 'users', 'tokens', 'signing_keys', 'replay']) {
      assert.ok(tables(db).includes(table), table);
    }
    db.close();
  });

  it('does nothing on an up-to-date database', () => {
    const db = new DatabaseSync(':memory:');
    migrateSchema(db);
    const schema = db.prepare('SELECT sql FROM sqlite_schema').all();
    const latest = latestVersion(SCHEMA_MIGRATIONS);
    assert.deepEqual(migrateSchema(db), { from: latest, to: latest });
    assert.deepEqual(db.prepare('SELECT sql FROM sqlite_schema').all(), schema);
    assert.equal(recorded(db).length, SCHEMA_MIGRATIONS.length);
    db.close();
  });

  it('applies only the migrations a database lacks, in order', () => {
    const db = new DatabaseSync(':memory:');
    assert.deepEqual(migrateSchema(db, [createTable(1, 'a')]), { from: 0, to: 1 });
    assert.deepEqual(migrateSchema(db, [createTable(1, 'a'), createTable(2, 'b'), createTable(5, 'c')]), {
      from: 1,
      to: 5,
    });
    assert.deepEqual(
      recorded(db).map((row) => row.version),
      [1, 2, 5],
    );
    assert.deepEqual(tables(db), ['a', 'b', 'c', 'schema_migrations']);
    db.close();
  });

  it('a failing migration leaves no trace; the ones before it stay applied', () => {
    const db = new DatabaseSync(':memory:');
    const broken: Migration = {
      version: 2,
      description: 'half done',
      sql: 'CREATE TABLE b (id TEXT); INSERT INTO no_such_table VALUES (1)',
    };
    assert.throws(() => migrateSchema(db, [createTable(1, 'a'), broken]), /no_such_table/);
    assert.equal(schemaVersion(db), 1);
    assert.deepEqual(tables(db), ['a', 'schema_migrations'], 'table b was rolled back with its migration');
    assert.equal(db.isTransaction, false);

    assert.deepEqual(migrateSchema(db, [createTable(1, 'a'), createTable(2, 'b')]), { from: 1, to: 2 });
    db.close();
  });

  it('refuses a database migrated by a newer tokenguard', () => {
    const db = new DatabaseSync(':memory:');
    migrateSchema(db, [createTable(1, 'a'), createTable(2, 'b')]);
    assert.throws(
      () => migrateSchema(db, [createTable(1, 'a')]),
      (error) =>
        isTokenguardError(error) &&
        error.code === 'configInvalid' &&
        /version 2, newer .* \(1\)/.test(error.message),
    );
    db.close();
  });

  it('refuses a migration list out of order', () => {
    const db = new DatabaseSync(':memory:');
    assert.throws(() => migrateSchema(db, [createTable(2, 'b'), createTable(1, 'a')]), /strictly increasing/);
    assert.throws(() => migrateSchema(db, [createTable(1, 'a'), createTable(1, 'b')]), /strictly increasing/);
    assert.equal(schemaVersion(db), 0);
    db.close();
  });

  it('processes starting at once on a new file migrate it exactly once between them', {
    timeout: 60_000,
  }, async () => {
    const file = path.join(root, 'shared.db');
    const children = Array.from({ length: 8 }, () => new Child('migrate.child.ts', [file]));
    try {
      await Promise.all(children.map((child) => child.waitFor((line) => line === 'ready')));
      for (const child of children) child.send('go');
      await Promise.all(children.map((child) => child.succeeded()));
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }

    const latest = latestVersion(SCHEMA_MIGRATIONS);
    const results = children.map((child) => JSON.parse(child.lines.at(-1)!) as { from: number; to: number });
    assert.equal(results.filter((result) => result.from === 0).length, 1, 'one process migrated');
    for (const result of results) assert.equal(result.to, latest);
    const db = openDatabase(file);
    assert.equal(recorded(db).length, SCHEMA_MIGRATIONS.length);
    assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    db.close();
  });
});

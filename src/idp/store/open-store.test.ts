/**
 * @module idp/store/open-store.test
 * Choosing the store from the `idp.store` setting, and the errors of a setting that cannot work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { closedPortUrl } from '../../../test/support/loopback.ts';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { MemoryStore } from './memory-store.ts';
import { DEFAULT_SQLITE_FILE, openStore } from './open-store.ts';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { TestSchemas } from './test-support/postgres.ts';
import { freshToken } from './test-support/records.ts';
import type { IdpStore } from './types.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenguard-open-store-'));
const schemas = new TestSchemas();
after(async () => {
  fs.rmSync(root, { recursive: true, force: true });
  await schemas.dropAll();
});

/** The store works: it was migrated before being handed out. */
async function assertUsable(store: IdpStore): Promise<void> {
  await store.tokens.put(freshToken('t1', 'tok'));
  assert.equal((await store.tokens.get('t1', 'tok'))?.id, 'tok');
}

const isConfigInvalid = (settingPath: string, message: RegExp) => (error: unknown) =>
  isTokenguardError(error) &&
  error.code === 'configInvalid' &&
  error.path === settingPath &&
  message.test(error.message);

describe('openStore', () => {
  it('memory: a MemoryStore', async () => {
    const store = await openStore('memory');
    assert.ok(store instanceof MemoryStore);
    await assertUsable(store);
    await store.close();
  });

  it('sqlite: tokenguard.db in the data directory, created with its parents', async () => {
    const dataDir = path.join(root, 'nested', 'data');
    const store = await openStore('sqlite', { dataDir });
    assert.ok(store instanceof SqliteStore);
    assert.equal(store.file, path.join(dataDir, DEFAULT_SQLITE_FILE));
    await assertUsable(store);
    await store.close();
    assert.ok(fs.statSync(path.join(dataDir, DEFAULT_SQLITE_FILE)).isFile());
  });

  it('sqlite:<path>: that file, whatever the data directory', async () => {
    const file = path.join(root, 'elsewhere', 'idp.sqlite');
    const store = await openStore(`sqlite:${file}`, { dataDir: path.join(root, 'unused') });
    assert.equal((store as SqliteStore).file, file);
    await assertUsable(store);
    await store.close();
    assert.ok(fs.existsSync(file));
    assert.equal(fs.existsSync(path.join(root, 'unused')), false);
  });

  it('sqlite::memory:: a SQLite database in memory', async () => {
    const store = await openStore('sqlite::memory:');
    assert.equal((store as SqliteStore).file, ':memory:');
    await assertUsable(store);
    await store.close();
  });

  it('postgres:// and postgresql://: a migrated PostgresStore on the schema of the URL', async () => {
    for (const scheme of ['postgres', 'postgresql']) {
      const schema = schemas.next();
      const store = await openStore(`${scheme}://postgres@127.0.0.1:5432/test?schema=${schema}&max=2`);
      try {
        assert.ok(store instanceof PostgresStore);
        assert.equal(store.settings.schema, schema);
        assert.equal(store.settings.max, 2);
        await assertUsable(store);
        assert.equal((await schemas.inspect(schema, 'SELECT id FROM tokens')).length, 1, 'in that schema');
      } finally {
        await store.close();
      }
    }
  });

  it('a PostgreSQL URL that cannot work is refused naming idp.store, its password never echoed', async () => {
    await assert.rejects(
      openStore('postgres://idp:s3cret@db/idp?max=none'),
      isConfigInvalid('idp.store', /postgres:\/\/idp:\*\*\*@db\/idp: max="none"/),
    );
    const port = new URL(await closedPortUrl()).port;
    await assert.rejects(
      openStore(`postgresql://idp:s3cret@127.0.0.1:${port}/idp?connectTimeout=2s`),
      isConfigInvalid('idp.store', /ECONNREFUSED/),
    );
    for (const spec of [
      'postgres://idp:s3cret@db/idp?max=none',
      `postgres://idp:s3cret@127.0.0.1:${port}/idp`,
    ]) {
      await assert.rejects(openStore(spec), (error: Error) => !error.message.includes('s3cret'));
    }
  });

  it('an unknown setting is refused, naming only its scheme', async () => {
    await assert.rejects(
      openStore('mysql://root:s3cret@db/idp'),
      isConfigInvalid('idp.store', /unknown store "mysql:"/),
    );
    await assert.rejects(
      openStore('mysql://root:s3cret@db/idp'),
      (error: Error) => !error.message.includes('s3cret'),
    );
    await assert.rejects(openStore(''), isConfigInvalid('idp.store', /expected memory, sqlite/));
    await assert.rejects(openStore('sqlite:'), isConfigInvalid('idp.store', /needs a file path/));
  });

  it('a data directory that cannot be created is a configInvalid error naming the file', async () => {
    const blocker = path.join(root, 'a-file');
    fs.writeFileSync(blocker, '');
    const file = path.join(blocker, 'data', DEFAULT_SQLITE_FILE);
    await assert.rejects(
      openStore('sqlite', { dataDir: path.join(blocker, 'data') }),
      isConfigInvalid(file, /cannot create the directory/),
    );
  });
});

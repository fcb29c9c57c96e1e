/**
 * @module idp/store/open-store.test
 * Choosing the store from the `idp.store` setting, and the errors of a setting that cannot work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { MemoryStore } from './memory-store.ts';
import { DEFAULT_SQLITE_FILE, openStore } from './open-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { freshToken } from './test-support/records.ts';
import type { IdpStore } from './types.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenguard-open-store-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

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

  it('postgres:// is not available yet, and the URL (with its password) is not echoed', async () => {
    for (const spec of ['postgres://idp:s3cret@db/idp', 'postgresql://idp:s3cret@db/idp']) {
      await assert.rejects(
        openStore(spec),
        isConfigInvalid('idp.store', /PostgreSQL comes with the scale-out issue/),
      );
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

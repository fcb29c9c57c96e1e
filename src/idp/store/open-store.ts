/**
 * @module idp/store/open-store
 * Turns the `idp.store` setting into a migrated, ready store:
 * - `memory`: nothing survives a restart (tests, demos);
 * - `sqlite`: `<dataDir>/tokenguard.db`; `sqlite:<path>`: that file (relative to the working directory);
 * - `postgres://…` / `postgresql://…`: PostgreSQL, for several replicas (see postgres-settings for the URL's
 *   parameters); `pg` is loaded only then.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configInvalid } from '../../errors/tokenguard-error.ts';
import { MemoryStore } from './memory-store.ts';
import { POSTGRES_URL } from './postgres-settings.ts';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { IdpStore } from './types.ts';

export interface OpenStoreOptions {
  /** Directory of the default SQLite file; created when missing. Default `data` (working directory). */
  dataDir?: string;
}

export const DEFAULT_DATA_DIR = 'data';
export const DEFAULT_SQLITE_FILE = 'tokenguard.db';

const SETTING = 'idp.store';

export async function openStore(spec: string, options: OpenStoreOptions = {}): Promise<IdpStore> {
  const store = await create(spec.trim(), options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function create(spec: string, options: OpenStoreOptions): Promise<IdpStore> {
  if (spec === 'memory') return new MemoryStore();
  if (spec === 'sqlite') {
    return openSqlite(path.join(options.dataDir ?? DEFAULT_DATA_DIR, DEFAULT_SQLITE_FILE));
  }
  if (spec.startsWith('sqlite:')) {
    const file = spec.slice('sqlite:'.length);
    if (!file) throw configInvalid(SETTING, 'sqlite: needs a file path (sqlite:<path>), or use sqlite');
    return openSqlite(file);
  }
  if (POSTGRES_URL.test(spec)) return PostgresStore.open(spec);
  // Only the scheme is echoed: a connection string may carry a password.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(spec)?.[0] ?? spec.slice(0, 20);
  throw configInvalid(
    SETTING,
    `unknown store "${scheme}"; expected memory, sqlite, sqlite:<path> or postgres://…`,
  );
}

function openSqlite(file: string): SqliteStore {
  if (file !== ':memory:') {
    const directory = path.dirname(file);
    try {
      fs.mkdirSync(directory, { recursive: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw configInvalid(file, `cannot create the directory ${directory}: ${reason}`);
    }
  }
  return new SqliteStore({ file });
}

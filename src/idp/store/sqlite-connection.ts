/**
 * @module idp/store/sqlite-connection
 * Opening the IdP's SQLite file (`node:sqlite`) the way several processes can share it, and the one kind of
 * write transaction the store uses.
 */
import { DatabaseSync } from 'node:sqlite';
import { configInvalid } from '../../errors/tokenguard-error.ts';

/**
 * How long a statement waits for another process's write lock before failing with "database is locked".
 * Writes are single short statements, so waiting this long only happens when something is badly stuck.
 */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database at `file`, or `':memory:'`. Throws `configInvalid(file, …)` when
 * the file cannot be opened or is not a database, instead of failing at the first query.
 */
export function openDatabase(file: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { enableForeignKeyConstraints: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    enableWal(db);
    // In WAL mode NORMAL cannot corrupt the file and loses nothing when a process crashes; only a power
    // loss may drop the last commits, the price of not syncing the disk on every issued token.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    // Reads are point lookups on every introspection: map the file instead of a pread per page, and keep
    // more pages in the cache (64 MiB).
    db.exec('PRAGMA mmap_size = 268435456');
    db.exec('PRAGMA cache_size = -65536');
    return db;
  } catch (error) {
    if (db?.isOpen) db.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw configInvalid(file, `cannot open the SQLite database: ${reason}`);
  }
}

/** Whether a `node:sqlite` error is SQLITE_BUSY (5) or one of its extended codes (BUSY_RECOVERY, …). */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && (code & 0xff) === 5;
}

/** Blocks the thread: only used while opening, where nothing else can proceed anyway. */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * WAL lets readers of other processes go on while one writes; the mode is stored in the file. Switching a
 * new file to it needs an exclusive lock, and when several processes start on one new file SQLite reports
 * the conflict at once instead of through the busy handler; so retry, within the busy timeout.
 */
function enableWal(db: DatabaseSync): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      sleepSync(10);
    }
  }
}

/**
 * Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read, so a
 * read-then-write cannot race with another process doing the same (a deferred transaction would only
 * discover the conflict at its first write, after deciding on stale data). `work` must be synchronous.
 */
export function immediate<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may already have rolled back by itself (some errors end the transaction).
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

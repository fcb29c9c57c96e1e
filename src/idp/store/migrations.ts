/**
 * @module idp/store/migrations
 * Versioned schema of the SQLite store. Each migration runs once, in its own transaction, and records its
 * version in `schema_migrations`; a migration never changes once released (add a new one instead).
 *
 * Records keep only what is queried in real columns and the rest of the record as JSON in `data`, so a new
 * field of a record needs no migration; a migration is needed only to query something new.
 */
import type { DatabaseSync } from 'node:sqlite';
import { configInvalid, TokenguardError } from '../../errors/tokenguard-error.ts';
import { immediate } from './sqlite-connection.ts';

export interface Migration {
  /** Positive integer, strictly increasing through the list. */
  version: number;
  description: string;
  /** SQL script (several statements allowed). */
  sql: string;
}

export const SCHEMA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tenants, clients, users, tokens, signing keys, client assertion jti cache',
    sql: `
      CREATE TABLE tenants (
        id TEXT NOT NULL PRIMARY KEY,
        data TEXT NOT NULL
      );
      CREATE TABLE clients (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE users (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE tokens (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        family_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        consumed_at INTEGER,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX tokens_by_family ON tokens (tenant, family_id);
      CREATE INDEX tokens_by_client ON tokens (tenant, client_id);
      CREATE INDEX tokens_by_subject ON tokens (tenant, subject);
      CREATE INDEX tokens_by_expiry ON tokens (expires_at);
      CREATE TABLE signing_keys (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE replay (
        tenant TEXT NOT NULL,
        jti TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, jti)
      );
      CREATE INDEX replay_by_expiry ON replay (expires_at);
    `,
  },
];

/** The highest version of a migration list (0 when empty). */
export const latestVersion = (migrations: readonly Migration[]): number => migrations.at(-1)?.version ?? 0;

/** The version the database is at: 0 for a new file. */
export function schemaVersion(db: DatabaseSync): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
  return Number(row?.version ?? 0);
}

/**
 * Applies the migrations the database lacks, oldest first; returns the versions before and after.
 * Each step takes the write lock (`BEGIN IMMEDIATE`) before reading the version, so two processes starting
 * on one file at once serialize: the second sees the first's version and does nothing.
 */
export function migrateSchema(
  db: DatabaseSync,
  migrations: readonly Migration[] = SCHEMA_MIGRATIONS,
): { from: number; to: number } {
  checkOrder(migrations);
  const latest = latestVersion(migrations);
  let from: number | undefined;
  for (;;) {
    const step = immediate(db, () => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER NOT NULL PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      )`);
      const current = schemaVersion(db);
      if (current > latest) {
        throw configInvalid(
          'idp.store',
          `the database schema is at version ${current}, newer than this tokenguard knows (${latest}); ` +
            'upgrade tokenguard',
        );
      }
      const next = migrations.find((migration) => migration.version > current);
      if (next) {
        db.exec(next.sql);
        db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(
          next.version,
          next.description,
          Math.floor(Date.now() / 1000),
        );
      }
      return { current, next };
    });
    from ??= step.current;
    if (!step.next) return { from, to: step.current };
  }
}

/** A list out of order would skip migrations silently (`find` picks the first newer one). */
function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const { version } of migrations) {
    if (!Number.isSafeInteger(version) || version <= previous) {
      throw new TokenguardError('server_error', 'internal_error', {
        detail:
          'schema migration versions must be strictly increasing positive integers ' +
          `(${version} after ${previous})`,
      });
    }
    previous = version;
  }
}

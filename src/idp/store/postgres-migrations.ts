/**
 * @module idp/store/postgres-migrations
 * Versioned schema of the PostgreSQL store: the tables of the SQLite schema (`migrations.ts`) with the same
 * meaning, in PostgreSQL types: `text` keys, `bigint` epoch seconds, `jsonb` for the rest of each record
 * (claims, policies, JWKs). A migration never changes once released (add a new one instead).
 *
 * Replicas start at once: `migratePostgres` runs in one transaction that first takes an advisory lock
 * (`pg_advisory_xact_lock`) named after the schema, so the replicas migrate one after the other and each
 * later one finds the versions recorded and does nothing. DDL is transactional in PostgreSQL: a migration
 * that fails leaves no half-made table behind. The lock goes with the transaction, also when a process
 * dies holding it.
 */
import { configInvalid } from '../../errors/tokenguard-error.ts';
import { latestVersion, type Migration } from './migrations.ts';
import type { PostgresDatabase } from './postgres-database.ts';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tenants, clients, users, tokens, signing keys, client assertion jti cache',
    // `seq` keeps insertion order (an upsert keeps it too), the order lists come in, as SQLite's rowid.
    sql: `
      CREATE TABLE tenants (
        id text NOT NULL PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        data jsonb NOT NULL
      );
      CREATE TABLE clients (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE users (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE tokens (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        client_id text NOT NULL,
        subject text NOT NULL,
        family_id text NOT NULL,
        expires_at bigint NOT NULL,
        revoked_at bigint,
        consumed_at bigint,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX tokens_by_family ON tokens (tenant, family_id);
      CREATE INDEX tokens_by_client ON tokens (tenant, client_id);
      CREATE INDEX tokens_by_subject ON tokens (tenant, subject);
      CREATE INDEX tokens_by_expiry ON tokens (expires_at);
      CREATE TABLE signing_keys (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE replay (
        tenant text NOT NULL,
        jti text NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (tenant, jti)
      );
      CREATE INDEX replay_by_expiry ON replay (expires_at);
    `,
  },
];

/**
 * Brings the schema (the `schema` of the URL, created if missing, else the connection's current schema) to
 * the latest version; returns the versions before and after.
 */
export async function migratePostgres(
  db: PostgresDatabase,
  schema: string | undefined,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  const latest = latestVersion(migrations);
  return db.transaction(async () => {
    // Named after the schema: replicas of one deployment wait for each other, other schemas of the same
    // database (other deployments, parallel test runs) do not.
    await db.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('tokenguard:migrate:' || coalesce($1, current_schema(), ''), 0))`,
      [schema ?? null],
    );
    // The name passed the settings' identifier check: nothing to quote.
    if (schema) await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer NOT NULL PRIMARY KEY,
      description text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const { rows } = await db.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const from = rows[0]?.version ?? 0;
    if (from > latest) {
      throw configInvalid(
        'idp.store',
        `${db.redactedUrl}: the database schema is at version ${from}, newer than this tokenguard knows ` +
          `(${latest}); upgrade tokenguard`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await db.query(migration.sql);
      await db.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.description,
        Math.floor(Date.now() / 1000),
      ]);
    }
    return { from, to: Math.max(from, latest) };
  });
}

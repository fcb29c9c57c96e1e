/**
 * @module idp/store/postgres-store
 * The `IdpStore` for several IdP replicas: one PostgreSQL database (node-postgres `Pool`, the optional peer
 * dependency `pg`), selected by `idp.store: postgres://…` (settings in `postgres-settings`).
 *
 * What replicas need from it, and where it comes from:
 * - start together: `migrate()` serializes on an advisory lock (`postgres-migrations`);
 * - agree on tokens: every change that must be atomic is one statement (`postgres-tokens`), and the jti
 *   cache is one `INSERT … ON CONFLICT DO NOTHING`;
 * - agree on signing keys: `keys.exclusive` (see `SharedKeyTable` of the key manager) runs key creation
 *   in a transaction holding a per-tenant advisory lock, and `keys.refreshSeconds` (URL `keyRefresh`) tells
 *   each replica how often to re-read the keys another one may have rotated.
 * Records are serialized on the way in and parsed on the way out, so no object is shared with a caller.
 */

import { configInvalid, isTokenguardError } from '../../errors/tokenguard-error.ts';
import { loadPg, type PgModule } from '../../util/optional-peer.ts';
import type { SharedKeyTable } from '../keys/key-manager.ts';
import type { Client, SigningKey, Tenant, User } from '../model.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { hasNul, PostgresRecordTable } from './postgres-records.ts';
import { type PostgresSettings, parsePostgresUrl } from './postgres-settings.ts';
import { PostgresTokens } from './postgres-tokens.ts';
import type { IdpStore } from './types.ts';

const SETTING = 'idp.store';

export class PostgresStore implements IdpStore {
  readonly settings: Readonly<PostgresSettings>;
  readonly #db: PostgresDatabase;
  readonly tenants: IdpStore['tenants'];
  readonly clients: IdpStore['clients'];
  readonly users: IdpStore['users'];
  readonly tokens: IdpStore['tokens'];
  readonly keys: IdpStore['keys'] & Required<SharedKeyTable>;
  readonly replay: IdpStore['replay'];

  /** Loads `pg` (a configInvalid error naming `idp.store` when it is not installed) and makes the store. */
  static async open(url: string): Promise<PostgresStore> {
    const settings = parsePostgresUrl(url);
    return new PostgresStore(await loadPg(SETTING), settings);
  }

  /** No connection is made yet: the first one comes with `migrate()`. */
  constructor(pg: PgModule, settings: PostgresSettings) {
    this.settings = Object.freeze({ ...settings });
    const db = new PostgresDatabase(pg, settings);
    this.#db = db;
    this.tenants = new PostgresRecordTable<Tenant>(db, {
      table: 'tenants',
      key: ['id'],
      columns: { id: 'id' },
    });
    this.clients = new PostgresRecordTable<Client>(db, {
      table: 'clients',
      key: ['tenant', 'id'],
      columns: { tenant: 'tenant', id: 'clientId' },
    });
    this.users = new PostgresRecordTable<User>(db, {
      table: 'users',
      key: ['tenant', 'id'],
      columns: { tenant: 'tenant', id: 'username' },
    });
    this.tokens = new PostgresTokens(db);
    this.keys = sharedKeys(db, settings.keyRefreshSeconds);
    this.replay = {
      remember: async (tenant, jti, expiresAt) => {
        // No text value holds NUL, so such a jti cannot be recorded: refused (as a replay), failing closed.
        if (hasNul(tenant, jti)) return false;
        // The primary key makes the check and the insert one atomic step, across replicas too.
        const { rowCount } = await db.query(
          'INSERT INTO replay (tenant, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [tenant, jti, expiresAt],
        );
        return (rowCount ?? 0) > 0;
      },
      purge: async (before) =>
        (await db.query('DELETE FROM replay WHERE expires_at < $1', [before])).rowCount ?? 0,
    };
  }

  /**
   * Creates the schema or brings it to the latest version. A failure at this point, the first contact with
   * the database, is a configuration error naming `idp.store` (unreachable, wrong credentials, no such
   * database), so the IdP refuses to start with one clear line.
   */
  async migrate(): Promise<void> {
    try {
      await migratePostgres(this.#db, this.settings.schema);
    } catch (error) {
      if (isTokenguardError(error) && error.code === 'configInvalid') throw error;
      const reason = isTokenguardError(error) ? (error.detail ?? error.message) : (error as Error).message;
      // A failure that came through the pool already names the (redacted) URL.
      const detail = reason.startsWith('PostgreSQL ')
        ? reason
        : `PostgreSQL ${this.settings.redacted}: ${reason}`;
      throw configInvalid(SETTING, `${detail} (cannot prepare the store)`);
    }
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** The signing keys, with what replicas need to agree on them (the key manager's `SharedKeyTable`). */
function sharedKeys(
  db: PostgresDatabase,
  refreshSeconds: number,
): IdpStore['keys'] & Required<SharedKeyTable> {
  const table = new PostgresRecordTable<SigningKey>(db, {
    table: 'signing_keys',
    key: ['tenant', 'id'],
    columns: { tenant: 'tenant', id: 'kid' },
  });
  return {
    list: (tenant) => table.list(tenant),
    put: (key) => table.put(key),
    refreshSeconds,
    exclusive: (tenant, work) =>
      db.transaction(async () => {
        // Per tenant and schema: two deployments in one database never wait for each other. Released with
        // the transaction, also when the process holding it dies.
        await db.query(
          `SELECT pg_advisory_xact_lock(hashtextextended('tokenguard:keys:' || current_schema() || ':' || $1, 0))`,
          [tenant],
        );
        return work();
      }),
  };
}

/**
 * @module idp/store/sqlite-store
 * The default `IdpStore`: one SQLite file through `node:sqlite` (built into Node 24, no native package).
 * Several processes may share the file: WAL mode, a busy timeout, and operations that are single
 * statements or `BEGIN IMMEDIATE` transactions (see sqlite-connection, sqlite-tokens). Records are
 * serialized on the way in and parsed on the way out, so no object is ever shared with a caller.
 *
 * `migrate()` must run before anything else (`openStore` does it): statements are prepared once, on
 * first use, against the migrated schema.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Client, SigningKey, Tenant, User } from '../model.ts';
import { migrateSchema } from './migrations.ts';
import { RecordTable } from './record-table.ts';
import { openDatabase } from './sqlite-connection.ts';
import { SqliteTokens } from './sqlite-tokens.ts';
import type { IdpStore } from './types.ts';

export interface SqliteStoreOptions {
  /** Path of the database file (created if missing), or `':memory:'`. */
  file: string;
}

export class SqliteStore implements IdpStore {
  readonly file: string;
  readonly #db: DatabaseSync;
  #migrated = false;
  #remember: StatementSync | undefined;
  #purgeReplay: StatementSync | undefined;

  /** Opens the file; throws `configInvalid(file, …)` when it cannot. */
  constructor(options: SqliteStoreOptions) {
    this.file = options.file;
    this.#db = openDatabase(options.file);
  }

  async migrate(): Promise<void> {
    migrateSchema(this.#db);
    this.#migrated = true;
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  /** The database, once migrated: preparing a statement against a missing table would fail obscurely. */
  readonly #connection = (): DatabaseSync => {
    if (!this.#migrated) {
      throw new TokenguardError('server_error', 'internal_error', {
        detail: `SqliteStore(${this.file}) used before migrate()`,
      });
    }
    return this.#db;
  };

  readonly tenants: IdpStore['tenants'] = new RecordTable<Tenant>(this.#connection, {
    table: 'tenants',
    key: ['id'],
    columns: { id: 'id' },
  });

  readonly clients: IdpStore['clients'] = new RecordTable<Client>(this.#connection, {
    table: 'clients',
    key: ['tenant', 'id'],
    columns: { tenant: 'tenant', id: 'clientId' },
  });

  readonly users: IdpStore['users'] = new RecordTable<User>(this.#connection, {
    table: 'users',
    key: ['tenant', 'id'],
    columns: { tenant: 'tenant', id: 'username' },
  });

  readonly tokens: IdpStore['tokens'] = new SqliteTokens(this.#connection);

  readonly keys: IdpStore['keys'] = new RecordTable<SigningKey>(this.#connection, {
    table: 'signing_keys',
    key: ['tenant', 'id'],
    columns: { tenant: 'tenant', id: 'kid' },
  });

  readonly replay: IdpStore['replay'] = {
    remember: async (tenant, jti, expiresAt) => {
      this.#remember ??= this.#connection().prepare(
        'INSERT INTO replay (tenant, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      );
      // The primary key makes the check and the insert one atomic step, across processes too.
      return this.#remember.run(tenant, jti, expiresAt).changes > 0;
    },
    purge: async (before) => {
      this.#purgeReplay ??= this.#connection().prepare('DELETE FROM replay WHERE expires_at < ?');
      return Number(this.#purgeReplay.run(before).changes);
    },
  };
}

/**
 * @module idp/store/sqlite-tokens
 * The token operations of the SQLite store. Each is one SQL statement, so it is atomic across processes by
 * itself; `consume` adds the read of the result, and takes the write lock first so that no other process
 * can change the token between its update and its read. Reads go through a `TokenReadCache`, exact across
 * processes (`PRAGMA data_version`); every write here tells it what changed.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { StoredToken } from '../model.ts';
import { RecordTable } from './record-table.ts';
import { immediate } from './sqlite-connection.ts';
import { TokenReadCache } from './sqlite-token-cache.ts';
import { EQUALITY_COLUMNS, TOKEN_TABLE, type TokenFilter } from './token-filter.ts';
import type { IdpStore } from './types.ts';

type Tokens = IdpStore['tokens'];

type Filter = TokenFilter;

interface Condition {
  sql: string;
  parameters: Record<string, SQLInputValue>;
}

/**
 * `WHERE` of the tokens of a tenant matching a filter. The text depends only on which members are set, so
 * the few shapes each get one prepared statement, and each shape can use its index (a catch-all
 * `(:x IS NULL OR column = :x)` could not).
 */
function where(tenant: string, filter: Filter): Condition {
  const clauses = ['tenant = :tenant'];
  const parameters: Record<string, SQLInputValue> = { tenant };
  for (const [member, column] of EQUALITY_COLUMNS) {
    const value = filter[member];
    if (value === undefined) continue;
    clauses.push(`${column} = :${member}`);
    parameters[member] = value;
  }
  if (filter.activeAt !== undefined) {
    clauses.push('revoked_at IS NULL AND expires_at > :activeAt');
    parameters.activeAt = filter.activeAt;
  }
  return { sql: clauses.join(' AND '), parameters };
}

export class SqliteTokens implements Tokens {
  readonly #connection: () => DatabaseSync;
  readonly #table: RecordTable<StoredToken>;
  /** Statements by SQL text: the few shapes of `list` / `revokeWhere` and the fixed ones, prepared once. */
  readonly #statements = new Map<string, StatementSync>();
  readonly #cache: TokenReadCache;

  constructor(connection: () => DatabaseSync) {
    this.#connection = connection;
    this.#cache = new TokenReadCache(connection);
    this.#table = new RecordTable<StoredToken>(connection, TOKEN_TABLE);
  }

  get: Tokens['get'] = async (tenant, id) => {
    const cached = this.#cache.get(tenant, id);
    if (cached) return cached;
    const record = this.#table.find(tenant, id);
    if (record) this.#cache.remember(tenant, id, record);
    return record;
  };

  /**
   * Group commit: tokens written in one turn of the event loop (concurrent token requests) go into one
   * transaction. A commit costs far more than an insert (~60 µs here), so this multiplies issuance
   * throughput under load; each caller still resolves only once its token is committed.
   */
  put: Tokens['put'] = (token) =>
    new Promise<void>((resolve, reject) => {
      this.#pending.push({ token, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });

  #pending: { token: StoredToken; resolve: () => void; reject: (error: unknown) => void }[] = [];

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    const db = this.#connection();
    // An upsert may overwrite a record read before (the cache keeps only records that exist).
    for (const { token } of batch) this.#cache.forget(token.tenant, token.id);
    try {
      immediate(db, () => {
        for (const { token } of batch) this.#table.write(token);
      });
      for (const { resolve } of batch) resolve();
    } catch {
      // One bad row must not fail its neighbours: write each alone, so only the offender is refused.
      for (const { token, resolve, reject } of batch) {
        try {
          immediate(db, () => this.#table.write(token));
          resolve();
        } catch (error) {
          reject(error);
        }
      }
    }
  }

  revoke: Tokens['revoke'] = async (tenant, id, at) => {
    this.#cache.forget(tenant, id);
    return this.#revoke(where(tenant, { id }), at) > 0;
  };

  revokeFamily: Tokens['revokeFamily'] = async (tenant, familyId, at) => {
    this.#cache.clear();
    return this.#revoke(where(tenant, { familyId }), at);
  };

  revokeWhere: Tokens['revokeWhere'] = async (tenant, { clientId, subject }, at) => {
    // An empty query would revoke the whole tenant: never what a caller means.
    if (clientId === undefined && subject === undefined) return 0;
    this.#cache.clear();
    return this.#revoke(where(tenant, { clientId, subject }), at);
  };

  consume: Tokens['consume'] = async (tenant, id, at) => {
    const db = this.#connection();
    this.#cache.forget(tenant, id);
    const update = this.#statement(
      `UPDATE tokens SET consumed_at = :at
       WHERE tenant = :tenant AND id = :id AND consumed_at IS NULL AND revoked_at IS NULL`,
    );
    return immediate(db, () => {
      const { changes } = update.run({ tenant, id, at });
      const token = this.#table.find(tenant, id);
      // No row changed: it was consumed or revoked before (or by a racing process that won).
      return token && { token, replayed: changes === 0 };
    });
  };

  list: Tokens['list'] = async (tenant, query) => {
    const condition = where(tenant, query);
    const rows = this.#statement(
      `SELECT * FROM tokens WHERE ${condition.sql} ORDER BY rowid LIMIT :limit`,
    ).all({
      ...condition.parameters,
      // SQLite reads a negative LIMIT as "no limit".
      limit: query.limit ?? -1,
    });
    return rows.map((row) => this.#table.decode(row));
  };

  purgeExpired: Tokens['purgeExpired'] = async (before) => {
    this.#cache.clear();
    return Number(this.#statement('DELETE FROM tokens WHERE expires_at < :before').run({ before }).changes);
  };

  /** Revokes the tokens matching `condition` not revoked yet (their first revocation time stays). */
  #revoke(condition: Condition, at: number): number {
    const sql = `UPDATE tokens SET revoked_at = :at WHERE ${condition.sql} AND revoked_at IS NULL`;
    return Number(this.#statement(sql).run({ ...condition.parameters, at }).changes);
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#connection().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

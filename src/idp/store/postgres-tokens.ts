/**
 * @module idp/store/postgres-tokens
 * The token operations of the PostgreSQL store. Every change is one statement, so it is atomic on its own
 * whatever the number of replicas: PostgreSQL locks each row an UPDATE changes, and a concurrent UPDATE of
 * the same row waits, then re-checks its WHERE against the committed row (READ COMMITTED). That is what
 * makes `consume` exactly-once: of concurrent consumptions one matches `consumed_at IS NULL`, the others
 * match nothing and are replays (RFC 9700 §4.14.2).
 */
import type { StoredToken } from '../model.ts';
import type { PostgresDatabase } from './postgres-database.ts';
import { hasNul, PostgresRecordTable } from './postgres-records.ts';
import { EQUALITY_COLUMNS, TOKEN_TABLE, type TokenFilter } from './token-filter.ts';
import type { IdpStore } from './types.ts';

type Tokens = IdpStore['tokens'];

type Filter = TokenFilter;

interface Condition {
  sql: string;
  values: unknown[];
}

/**
 * `WHERE` of the tokens of a tenant matching a filter: only the members that are set, so each shape can use
 * its index (a catch-all `($2 IS NULL OR column = $2)` could not). Undefined when a value holds a NUL
 * character: no stored token matches it.
 */
function where(tenant: string, filter: Filter): Condition | undefined {
  const clauses = ['tenant = $1'];
  const values: unknown[] = [tenant];
  for (const [member, column] of EQUALITY_COLUMNS) {
    const value = filter[member];
    if (value === undefined) continue;
    values.push(value);
    clauses.push(`${column} = $${values.length}`);
  }
  if (filter.activeAt !== undefined) {
    values.push(filter.activeAt);
    clauses.push(`revoked_at IS NULL AND expires_at > $${values.length}`);
  }
  if (values.some((value) => typeof value === 'string' && hasNul(value))) return undefined;
  return { sql: clauses.join(' AND '), values };
}

/** A consumption that keeps finding a fresh token re-inserted under its id gives up (as a replay). */
const CONSUME_ATTEMPTS = 3;

export class PostgresTokens implements Tokens {
  readonly #db: PostgresDatabase;
  readonly #table: PostgresRecordTable<StoredToken>;

  constructor(db: PostgresDatabase) {
    this.#db = db;
    this.#table = new PostgresRecordTable<StoredToken>(db, TOKEN_TABLE);
  }

  get: Tokens['get'] = (tenant, id) => this.#table.get(tenant, id);

  put: Tokens['put'] = (token) => this.#table.put(token);

  revoke: Tokens['revoke'] = async (tenant, id, at) => (await this.#revoke(where(tenant, { id }), at)) > 0;

  revokeFamily: Tokens['revokeFamily'] = (tenant, familyId, at) =>
    this.#revoke(where(tenant, { familyId }), at);

  revokeWhere: Tokens['revokeWhere'] = async (tenant, { clientId, subject }, at) => {
    // An empty query would revoke the whole tenant: never what a caller means.
    if (clientId === undefined && subject === undefined) return 0;
    return this.#revoke(where(tenant, { clientId, subject }), at);
  };

  consume: Tokens['consume'] = async (tenant, id, at) => {
    if (hasNul(tenant, id)) return undefined;
    for (let attempt = 1; ; attempt++) {
      const { rows } = await this.#db.query(
        `UPDATE tokens SET consumed_at = $3
         WHERE tenant = $1 AND id = $2 AND consumed_at IS NULL AND revoked_at IS NULL
         RETURNING ${this.#table.selection}`,
        [tenant, id, at],
      );
      if (rows[0]) return { token: this.#table.decode(rows[0]), replayed: false };
      // Nothing matched: unknown, or consumed or revoked before. This read is a new statement, so it sees
      // the consumption that won (committed before our UPDATE gave up on the row).
      const token = await this.#table.get(tenant, id);
      if (!token) return undefined;
      if (token.consumedAt !== undefined || token.revokedAt !== undefined || attempt === CONSUME_ATTEMPTS) {
        return { token, replayed: true };
      }
      // Unconsumed after all: the token was written between the two statements. Try again.
    }
  };

  list: Tokens['list'] = async (tenant, query) => {
    const condition = where(tenant, query);
    if (!condition) return [];
    const { rows } = await this.#db.query(
      `SELECT ${this.#table.selection} FROM tokens WHERE ${condition.sql}
       ORDER BY seq LIMIT $${condition.values.length + 1}`,
      // LIMIT NULL is no limit.
      [...condition.values, query.limit ?? null],
    );
    return rows.map((row) => this.#table.decode(row));
  };

  purgeExpired: Tokens['purgeExpired'] = async (before) =>
    (await this.#db.query('DELETE FROM tokens WHERE expires_at < $1', [before])).rowCount ?? 0;

  /** Revokes the tokens matching `condition` not revoked yet (their first revocation time stays). */
  async #revoke(condition: Condition | undefined, at: number): Promise<number> {
    if (!condition) return 0;
    const { rowCount } = await this.#db.query(
      `UPDATE tokens SET revoked_at = $${condition.values.length + 1}
       WHERE ${condition.sql} AND revoked_at IS NULL`,
      [...condition.values, at],
    );
    return rowCount ?? 0;
  }
}

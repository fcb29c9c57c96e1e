/**
 * @module idp/store/postgres-records
 * One PostgreSQL table of records, the counterpart of `record-table.ts`: the fields that are queried live in
 * real columns, the rest of the record in a `jsonb` `data` column. Reading merges both into a fresh object
 * (a copy), and an optional field stored as NULL comes back absent, exactly as it went in.
 *
 * PostgreSQL text cannot hold the NUL character, so no stored key contains one: a lookup by such a key
 * (ids come from requests) finds nothing instead of failing the request.
 */
import type { QueryResultRow } from 'pg';
import type { PostgresDatabase } from './postgres-database.ts';

export interface PostgresTableSpec<T> {
  table: string;
  /** Column name → record field. Only string or number fields (optional ones become nullable columns). */
  columns: Readonly<Record<string, keyof T & string>>;
  /** Primary key columns; all but the last one scope `list` (the tenant). */
  key: readonly string[];
}

/** Whether any of `values` holds a NUL character, which no PostgreSQL text value can. */
export const hasNul = (...values: string[]): boolean => values.some((value) => value.includes('\0'));

/** `$1, $2, …, $n` starting at `first`. */
const placeholders = (count: number, first = 1) =>
  Array.from({ length: count }, (_, index) => `$${first + index}`).join(', ');

export class PostgresRecordTable<T extends object> {
  readonly #db: PostgresDatabase;
  readonly #columns: ReadonlyArray<readonly [column: string, field: keyof T & string]>;
  /** The column list of every SELECT (named, never `*`: a later migration may add columns). */
  readonly selection: string;
  readonly #sql: { get: string; list: string; put: string; delete: string };

  constructor(db: PostgresDatabase, spec: PostgresTableSpec<T>) {
    this.#db = db;
    this.#columns = Object.entries(spec.columns);
    const { table, key } = spec;
    const columns = [...this.#columns.map(([column]) => column), 'data'];
    this.selection = columns.join(', ');
    const byKey = key.map((column, index) => `${column} = $${index + 1}`).join(' AND ');
    const scope = key.slice(0, -1).map((column, index) => `${column} = $${index + 1}`);
    const updates = columns
      .filter((column) => !key.includes(column))
      .map((column) => `${column} = excluded.${column}`);
    this.#sql = {
      get: `SELECT ${this.selection} FROM ${table} WHERE ${byKey}`,
      list: `SELECT ${this.selection} FROM ${table} ${scope.length ? `WHERE ${scope.join(' AND ')}` : ''} ORDER BY seq`,
      // The last parameter is the JSON text of `data`; `seq` stays what the first insert gave.
      put: `INSERT INTO ${table} (${columns.join(', ')})
            VALUES (${placeholders(columns.length - 1)}, $${columns.length}::jsonb)
            ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      delete: `DELETE FROM ${table} WHERE ${byKey}`,
    };
  }

  get = async (...key: string[]): Promise<T | undefined> => {
    if (hasNul(...key)) return undefined;
    const { rows } = await this.#db.query(this.#sql.get, key);
    return rows[0] && this.decode(rows[0]);
  };

  list = async (...scope: string[]): Promise<T[]> => {
    if (hasNul(...scope)) return [];
    const { rows } = await this.#db.query(this.#sql.list, scope);
    return rows.map((row) => this.decode(row));
  };

  put = async (record: T): Promise<void> => {
    await this.#db.query(this.#sql.put, this.encode(record));
  };

  delete = async (...key: string[]): Promise<boolean> => {
    if (hasNul(...key)) return false;
    return ((await this.#db.query(this.#sql.delete, key)).rowCount ?? 0) > 0;
  };

  /** Positional values for `put`: the columns in order, then the rest of the record as JSON text. */
  encode(record: T): unknown[] {
    const rest: Record<string, unknown> = { ...(record as Record<string, unknown>) };
    const values: unknown[] = [];
    for (const [, field] of this.#columns) {
      values.push(record[field] ?? null);
      delete rest[field];
    }
    // Text, not the object: node-postgres would turn a top-level array into a PostgreSQL array.
    values.push(JSON.stringify(rest));
    return values;
  }

  /** The record of a row of `selection`: a new object every time (the driver parses `data` afresh). */
  decode(row: QueryResultRow): T {
    const record = row.data as Record<string, unknown>;
    for (const [column, field] of this.#columns) {
      if (row[column] !== null) record[field] = row[column];
    }
    return record as T;
  }
}

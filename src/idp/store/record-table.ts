/**
 * @module idp/store/record-table
 * One SQLite table of records: the fields that are queried live in real columns, the rest of the record in
 * a JSON `data` column. Reading merges both back into a fresh object, so callers always get a copy, and an
 * optional field stored as NULL comes back absent (not `undefined`), exactly as it went in.
 */
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';

type Row = Record<string, SQLOutputValue>;

export interface RecordTableSpec<T> {
  table: string;
  /** Column name → record field. Only string or number fields (optional ones become nullable columns). */
  columns: Readonly<Record<string, keyof T & string>>;
  /** Primary key columns; all but the last one scope `list` (the tenant). */
  key: readonly string[];
}

interface Statements {
  get: StatementSync;
  list: StatementSync;
  put: StatementSync;
  delete: StatementSync;
}

export class RecordTable<T extends object> {
  readonly #connection: () => DatabaseSync;
  readonly #spec: RecordTableSpec<T>;
  readonly #columns: ReadonlyArray<readonly [column: string, field: keyof T & string]>;
  #statements: Statements | undefined;

  /** `connection` gives the database once the schema is migrated; statements are prepared on first use. */
  constructor(connection: () => DatabaseSync, spec: RecordTableSpec<T>) {
    this.#connection = connection;
    this.#spec = spec;
    this.#columns = Object.entries(spec.columns);
  }

  get = async (...key: string[]): Promise<T | undefined> => this.find(...key);

  list = async (...scope: string[]): Promise<T[]> =>
    (this.#prepared().list.all(...scope) as Row[]).map((row) => this.decode(row));

  put = async (record: T): Promise<void> => {
    this.write(record);
  };

  /** `put` for callers inside a transaction, which must not yield to the event loop. */
  write(record: T): void {
    this.#prepared().put.run(this.encode(record));
  }

  delete = async (...key: string[]): Promise<boolean> => this.#prepared().delete.run(...key).changes > 0;

  /** `get` for callers inside a transaction, which must not yield to the event loop. */
  find(...key: string[]): T | undefined {
    const row = this.#prepared().get.get(...key) as Row | undefined;
    return row && this.decode(row);
  }

  /** Named parameters (`:column`, `:data`) for writing `record`. */
  encode(record: T): Record<string, SQLInputValue> {
    const rest: Record<string, unknown> = { ...(record as Record<string, unknown>) };
    const parameters: Record<string, SQLInputValue> = {};
    for (const [column, field] of this.#columns) {
      parameters[column] = (record[field] ?? null) as SQLInputValue;
      delete rest[field];
    }
    parameters.data = JSON.stringify(rest);
    return parameters;
  }

  /** The record of a `SELECT *` row: a new object every time. */
  decode(row: Row): T {
    const record = JSON.parse(row.data as string) as Record<string, unknown>;
    for (const [column, field] of this.#columns) {
      if (row[column] !== null) record[field] = row[column];
    }
    return record as T;
  }

  #prepared(): Statements {
    if (this.#statements) return this.#statements;
    const { table, key } = this.#spec;
    const db = this.#connection();
    const columns = [...this.#columns.map(([column]) => column), 'data'];
    const byKey = key.map((column) => `${column} = ?`).join(' AND ');
    const scope = key.slice(0, -1).map((column) => `${column} = ?`);
    const updates = columns
      .filter((column) => !key.includes(column))
      .map((column) => `${column} = excluded.${column}`);
    this.#statements = {
      get: db.prepare(`SELECT * FROM ${table} WHERE ${byKey}`),
      // rowid order is insertion order (an upsert keeps the rowid), as the memory store lists.
      list: db.prepare(
        `SELECT * FROM ${table} ${scope.length ? `WHERE ${scope.join(' AND ')}` : ''} ORDER BY rowid`,
      ),
      // An upsert, not INSERT OR REPLACE: REPLACE deletes the row first (new rowid, delete triggers).
      put: db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})
         ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      ),
      delete: db.prepare(`DELETE FROM ${table} WHERE ${byKey}`),
    };
    return this.#statements;
  }
}

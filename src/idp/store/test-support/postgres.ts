/**
 * @module idp/store/test-support/postgres
 * The machine's PostgreSQL for tests (127.0.0.1:5432, user postgres, database `test`, trust auth), with a
 * schema of its own per store a test opens: `tg_test_<pid>_<random>_<n>`, so parallel test files and runs
 * never meet, and `dropAll()` (in `after`) removes every schema the file made.
 */
import { randomBytes } from 'node:crypto';
import { loadPg } from '../../../util/optional-peer.ts';
import { parsePostgresUrl } from '../postgres-settings.ts';
import { PostgresStore } from '../postgres-store.ts';

export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export class TestSchemas {
  readonly #prefix = `tg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  readonly #names: string[] = [];

  /** A new schema name (not created: the store's migration creates it). */
  next(): string {
    const name = `${this.#prefix}_${this.#names.length}`;
    this.#names.push(name);
    return name;
  }

  /** The store URL of `schema`, with extra query parameters. */
  url(schema: string, parameters: Record<string, string> = {}): string {
    return `${TEST_DATABASE_URL}?${new URLSearchParams({ schema, ...parameters })}`;
  }

  /** A store on `schema` (default: a new one), not migrated yet. */
  async store(schema = this.next(), parameters: Record<string, string> = {}): Promise<PostgresStore> {
    return PostgresStore.open(this.url(schema, parameters));
  }

  /** Runs one statement on a connection of its own whose search path is `schema` (an operator's psql). */
  async inspect<T = Record<string, unknown>>(
    schema: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<T[]> {
    const pg = await loadPg('test');
    const client = new pg.Client({ ...settingsOf(schema) });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Drops every schema handed out (those never created included). */
  async dropAll(): Promise<void> {
    if (this.#names.length === 0) return;
    const pg = await loadPg('test');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const name of this.#names) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

function settingsOf(schema: string): { connectionString: string; options: string | undefined } {
  const { connectionString, options } = parsePostgresUrl(`${TEST_DATABASE_URL}?schema=${schema}`);
  return { connectionString, options };
}

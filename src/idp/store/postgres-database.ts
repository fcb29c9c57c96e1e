/**
 * @module idp/store/postgres-database
 * The PostgreSQL store's connection pool (node-postgres `Pool`): queries, transactions, and what a failure
 * of the database means to a caller.
 *
 * - `query` runs one statement on any pooled connection, or, inside `transaction(work)`, on the
 *   transaction's connection: `work` calls the ordinary store methods and they join the transaction
 *   (AsyncLocalStorage carries it), so a key rotation can be one transaction without a second API.
 * - Failures of the database being there (refused or lost connections, pool or statement timeouts, server
 *   shutting down, too many connections, deadlocks) become `serviceUnavailable`: the endpoints answer
 *   503 with `Retry-After`, failing closed. Any other database error (a bug, a constraint) stays as it is, a
 *   500. Messages name the redacted URL only, never its password.
 * - `bigint` columns (epoch seconds) come back as numbers; `jsonb` as fresh objects (a copy per read).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { isTokenguardError, serviceUnavailable } from '../../errors/tokenguard-error.ts';
import type { PgModule } from '../../util/optional-peer.ts';
import type { PostgresSettings } from './postgres-settings.ts';

/** Object id of `int8` (`bigint`) in pg_type. */
const INT8_OID = 20;

/**
 * SQLSTATE classes that say "the database cannot serve now" rather than "this statement is wrong"
 * (PostgreSQL Appendix A): 08 connection exception, 40 transaction rollback (serialization failure,
 * deadlock), 53 insufficient resources, 57 operator intervention (statement timeout, shutdown), 58 system
 * error, 55P03 lock not available.
 */
const UNAVAILABLE_SQLSTATE = /^(08|40|53|57|58)|^55P03$/;

/** A server error (it carries a SQLSTATE), as opposed to one of the connection or the driver. */
function isServerError(error: unknown): error is Error & { code: string; severity: string } {
  return error instanceof Error && typeof (error as { severity?: unknown }).severity === 'string';
}

export class PostgresDatabase {
  readonly #pool: Pool;
  readonly #settings: PostgresSettings;
  /** The connection of the transaction the current async context runs in, if any. */
  readonly #transaction = new AsyncLocalStorage<PoolClient>();
  #closed: Promise<void> | undefined;

  constructor(pg: PgModule, settings: PostgresSettings) {
    this.#settings = settings;
    const parseBigint = (text: string) => Number(text);
    this.#pool = new pg.Pool({
      connectionString: settings.connectionString,
      options: settings.options,
      max: settings.max,
      idleTimeoutMillis: settings.idleTimeoutMs,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      application_name: 'tokenguard-idp',
      types: {
        // Epoch seconds fit a double exactly; a string would leak into every record.
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? parseBigint
            : pg.types.getTypeParser(oid, format)) as PgModule['types']['getTypeParser'],
      },
    });
    // An idle connection dropped by the server (restart, failover) is reported here; unhandled, the event
    // would crash the process. The pool discards that connection; the next query opens a new one or fails
    // with its own error, which the caller sees.
    this.#pool.on('error', () => {});
  }

  /** The URL without password, for messages. */
  get redactedUrl(): string {
    return this.#settings.redacted;
  }

  /** Runs one statement (on the current transaction's connection, if inside `transaction`). */
  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    /** Without values, the simple protocol: a migration script of several statements is allowed. */
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    const client = this.#transaction.getStore();
    try {
      return await (client ?? this.#pool).query<R>(text, values);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: every `query` made from inside it (however deep) runs
   * there. Commits when `work` resolves, rolls back when it throws, and rethrows what it threw as it is.
   * Not re-entrant: a transaction inside another would wait for a second connection while holding the first.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.failure(error);
    }
    let broken: Error | undefined;
    try {
      await this.#control(client, 'BEGIN');
      const result = await this.#transaction.run(client, work);
      await this.#control(client, 'COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection whose rollback failed is in an unknown state: destroyed, not returned to the pool.
      client.release(broken);
    }
  }

  /** BEGIN or COMMIT, failing as `query` does (a commit can fail on a lost connection). */
  async #control(client: PoolClient, statement: 'BEGIN' | 'COMMIT'): Promise<void> {
    try {
      await client.query(statement);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Closes every connection; later queries fail (as unavailable). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }

  /** What a caller should see of a failure: unavailability as 503, anything else unchanged. */
  failure(error: unknown): unknown {
    if (isTokenguardError(error)) return error;
    if (isServerError(error) && !UNAVAILABLE_SQLSTATE.test(error.code)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return serviceUnavailable('store_unavailable', `PostgreSQL ${this.#settings.redacted}: ${message}`);
  }
}

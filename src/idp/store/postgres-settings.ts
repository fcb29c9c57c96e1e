/**
 * @module idp/store/postgres-settings
 * Reading the `idp.store` PostgreSQL URL: `postgres://user[:password]@host[:port]/db?…` (or `postgresql://`).
 * Besides what node-postgres understands itself (`sslmode`, `application_name`, `options`, …), the query may
 * carry tokenguard's own settings, taken out before the URL reaches the driver:
 *
 * | parameter          | default | meaning                                                                 |
 * |--------------------|---------|-------------------------------------------------------------------------|
 * | `schema`           | (none)  | schema of the tables, created if missing; isolates tenants of a cluster |
 * | `max`              | 10      | most connections of the pool                                            |
 * | `idleTimeout`      | 30s     | an idle connection is closed after this; 0 = never                      |
 * | `connectTimeout`   | 5s      | a new connection must be up within this, else the request gets 503      |
 * | `statementTimeout` | 10s     | PostgreSQL cancels a statement running longer (503); 0 = no limit        |
 * | `keyRefresh`       | 30s     | how long a replica signs from its cached key list before re-reading it   |
 *
 * Durations are written as in the config files (`500ms`, `30s`, `1m`) or as milliseconds. The URL may hold a
 * password: every message uses `redacted`, which never does.
 */
import { configInvalid } from '../../errors/tokenguard-error.ts';
import { parseDuration } from '../../util/duration.ts';

export interface PostgresSettings {
  /** The URL handed to node-postgres: the one configured, without tokenguard's own parameters. */
  connectionString: string;
  /** The URL without password and query (but the schema), safe for messages and logs. */
  redacted: string;
  /** `search_path` of every connection; undefined = the server's default (usually `public`). */
  schema: string | undefined;
  /**
   * Startup options of every connection (libpq `options`): the URL's own, plus `-c search_path=<schema>`.
   * Set at connection start, so no query ever runs on a connection with another search path.
   */
  options: string | undefined;
  max: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Seconds (fractions allowed) a replica may use its cached signing keys before re-reading them. */
  keyRefreshSeconds: number;
}

const SETTING = 'idp.store';

/** `postgres://` or `postgresql://`, case-insensitive (RFC 3986 §3.1: schemes are). */
export const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * A plain identifier, so it needs no quoting anywhere (SQL, the `-c search_path=` startup option). `pg_` is
 * reserved for system schemas: PostgreSQL refuses to create one.
 */
const SCHEMA_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

const DEFAULTS = {
  max: 10,
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  keyRefreshSeconds: 30,
} as const;

/** The URL as it may be shown: scheme, user, host, database, schema; a password becomes `***`. */
function redact(url: URL): string {
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
  const schema = url.searchParams.get('schema');
  return `${url.protocol}//${user}${url.host}${url.pathname}${schema === null ? '' : `?schema=${schema}`}`;
}

/** A duration parameter in milliseconds: `500ms`, `30s`, `1m`, or a plain number of milliseconds. */
function durationMs(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : parseDuration(text);
}

/**
 * Parses and checks the URL; throws `configInvalid('idp.store', …)` naming the redacted URL and the bad
 * parameter, never the password.
 */
export function parsePostgresUrl(spec: string): PostgresSettings {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    // Unparseable: nothing of it can be shown safely but the scheme.
    throw configInvalid(SETTING, 'not a valid PostgreSQL URL (postgres://user@host:port/database?…)');
  }
  if (!POSTGRES_URL.test(spec)) throw configInvalid(SETTING, `${redact(url)}: not a postgres:// URL`);
  const redacted = redact(url);
  const fail = (detail: string) => configInvalid(SETTING, `${redacted}: ${detail}`);
  const query = url.searchParams;

  const take = (name: string): string | undefined => {
    const values = query.getAll(name);
    if (values.length > 1) throw fail(`${name} is given ${values.length} times`);
    query.delete(name);
    return values[0];
  };
  const duration = (name: string, fallback: number, allowZero: boolean): number => {
    const text = take(name);
    if (text === undefined) return fallback;
    const ms = durationMs(text);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (ms === 0 && !allowZero)) {
      throw fail(`${name}="${text}" is not a duration${allowZero ? '' : ' above 0'} (500ms, 5s, 1m)`);
    }
    return ms;
  };

  const schema = take('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw fail(`schema="${schema}" must be a lower-case identifier (a-z, 0-9, _; not pg_…; max 63)`);
  }
  const maxText = take('max') ?? String(DEFAULTS.max);
  const max = Number(maxText);
  if (!/^\d+$/.test(maxText) || max < 1 || max > 1000) {
    throw fail(`max="${maxText}" must be a whole number of connections from 1 to 1000`);
  }
  const startup = [take('options'), schema && `-c search_path=${schema}`].filter(Boolean).join(' ');
  const idleTimeoutMs = duration('idleTimeout', DEFAULTS.idleTimeoutMs, true);
  const connectTimeoutMs = duration('connectTimeout', DEFAULTS.connectTimeoutMs, false);
  const statementTimeoutMs = duration('statementTimeout', DEFAULTS.statementTimeoutMs, true);
  const keyRefreshMs = duration('keyRefresh', DEFAULTS.keyRefreshSeconds * 1000, false);
  return {
    // Serialized after every `take`: what remains is for the driver.
    connectionString: url.toString(),
    redacted,
    schema,
    options: startup || undefined,
    max,
    idleTimeoutMs,
    connectTimeoutMs,
    statementTimeoutMs,
    keyRefreshSeconds: keyRefreshMs / 1000,
  };
}

/** Why the URL is unusable (for config validation), or undefined when it is fine. */
export function postgresUrlProblem(spec: string): string | undefined {
  try {
    parsePostgresUrl(spec);
    return undefined;
  } catch (error) {
    const message = (error as { detail?: string }).detail ?? String(error);
    return message.startsWith(`${SETTING}: `) ? message.slice(SETTING.length + 2) : message;
  }
}

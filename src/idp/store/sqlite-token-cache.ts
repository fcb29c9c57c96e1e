/**
 * @module idp/store/sqlite-token-cache
 * Token records recently read through one SQLite connection, kept exactly as long as the database has not
 * changed under them. Every introspection reads its token (a point query plus JSON parsing, ~15 µs on a
 * busy server); a hit costs one `PRAGMA data_version` and a copy instead.
 *
 * No staleness, across processes too: SQLite changes `data_version` whenever another connection (this
 * process's or another's sharing the file) has committed since the last call, so a revocation made by another
 * replica drops the whole cache before the next read is answered from it. Commits of this connection do not
 * change it, so every token write of the store (`SqliteTokens`) forgets what it touched, or everything when
 * it cannot tell which records changed. Unknown tokens are not cached (a token being issued is still in its
 * group-commit batch until the next turn). Callers get a fresh copy each time: the store's records are
 * never shared with a caller.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { StoredToken } from '../model.ts';

/** A deep copy of a JSON tree (what the store decodes from its rows), ~10× cheaper than structuredClone. */
function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = copyJson((value as Record<string, unknown>)[key]);
    // `copy[key] =` would set the prototype for a `__proto__` member that JSON.parse made an own property.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: member,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = member;
  }
  return copy as T;
}

export class TokenReadCache {
  readonly #connection: () => DatabaseSync;
  readonly #maxEntries: number;
  /** Keyed by `<tenant length>:<tenant><id>`: unambiguous whatever characters either holds. */
  readonly #records = new Map<string, StoredToken>();
  #version: unknown;
  #dataVersion: StatementSync | undefined;

  constructor(connection: () => DatabaseSync, maxEntries = 10_000) {
    this.#connection = connection;
    this.#maxEntries = maxEntries;
  }

  /** A copy of the cached record, if the database is unchanged since it was read; else undefined. */
  get(tenant: string, id: string): StoredToken | undefined {
    if (this.#records.size === 0) return undefined;
    this.#checkVersion();
    const record = this.#records.get(keyOf(tenant, id));
    return record && copyJson(record);
  }

  /** Keeps a copy of `record`, just read from the database as `tenant`/`id`. */
  remember(tenant: string, id: string, record: StoredToken): void {
    // An empty cache has not checked the version since it last dropped everything: start from now.
    if (this.#records.size === 0) this.#checkVersion();
    const key = keyOf(tenant, id);
    this.#records.delete(key);
    this.#records.set(key, copyJson(record));
    if (this.#records.size > this.#maxEntries) this.#records.delete(this.#records.keys().next().value!);
  }

  /** This connection changed (or may have changed) the token `tenant`/`id`. */
  forget(tenant: string, id: string): void {
    this.#records.delete(keyOf(tenant, id));
  }

  /** This connection changed tokens it cannot name (a family, a client's, a purge). */
  clear(): void {
    this.#records.clear();
  }

  get size(): number {
    return this.#records.size;
  }

  /** Drops everything when another connection has committed since the last check. */
  #checkVersion(): void {
    this.#dataVersion ??= this.#connection().prepare('PRAGMA data_version');
    const version = (this.#dataVersion.get() as { data_version: unknown }).data_version;
    if (version !== this.#version) {
      this.#records.clear();
      this.#version = version;
    }
  }
}

function keyOf(tenant: string, id: string): string {
  return `${tenant.length}:${tenant}${id}`;
}

/**
 * @module idp/store/memory-store
 * The in-memory `IdpStore`: for tests and throw-away IdPs. Records are copied in and out, so callers can
 * never mutate stored state by accident (the SQLite and PostgreSQL stores behave the same way).
 */
import type { Client, SigningKey, StoredToken, Tenant, User } from '../model.ts';
import type { IdpStore, TokenQuery } from './types.ts';

const copy = <T>(value: T): T => structuredClone(value);
/**
 * The map key of a tenant's record. JSON of the pair, not `tenant + separator + id`: ids come from requests
 * and may contain any separator, and `('a', 'b\nc')` must never meet `('a\nb', 'c')` of another tenant.
 */
const key = (tenant: string, id: string) => JSON.stringify([tenant, id]);

function isActive(token: StoredToken, at: number): boolean {
  return token.revokedAt === undefined && token.expiresAt > at;
}

function matches(token: StoredToken, query: TokenQuery): boolean {
  if (query.clientId !== undefined && token.clientId !== query.clientId) return false;
  if (query.subject !== undefined && token.subject !== query.subject) return false;
  return query.activeAt === undefined || isActive(token, query.activeAt);
}

/** A map of records per tenant-qualified key, with copy-in / copy-out. */
class Table<T extends { tenant: string }> {
  readonly rows = new Map<string, T>();
  readonly #id: (row: T) => string;

  constructor(id: (row: T) => string) {
    this.#id = id;
  }

  async get(tenant: string, id: string): Promise<T | undefined> {
    const row = this.rows.get(key(tenant, id));
    return row && copy(row);
  }

  async list(tenant: string): Promise<T[]> {
    return [...this.rows.values()].filter((row) => row.tenant === tenant).map(copy);
  }

  async put(row: T): Promise<void> {
    this.rows.set(key(row.tenant, this.#id(row)), copy(row));
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return this.rows.delete(key(tenant, id));
  }
}

export class MemoryStore implements IdpStore {
  readonly #tenants = new Map<string, Tenant>();
  readonly #clients = new Table<Client>((client) => client.clientId);
  readonly #users = new Table<User>((user) => user.username);
  readonly #tokens = new Table<StoredToken>((token) => token.id);
  readonly #keys = new Table<SigningKey>((signingKey) => signingKey.kid);
  readonly #replay = new Map<string, number>();

  async migrate(): Promise<void> {}
  async close(): Promise<void> {}

  readonly tenants: IdpStore['tenants'] = {
    get: async (id) => {
      const tenant = this.#tenants.get(id);
      return tenant && copy(tenant);
    },
    list: async () => [...this.#tenants.values()].map(copy),
    put: async (tenant) => {
      this.#tenants.set(tenant.id, copy(tenant));
    },
    delete: async (id) => this.#tenants.delete(id),
  };

  readonly clients: IdpStore['clients'] = this.#clients;
  readonly users: IdpStore['users'] = this.#users;

  readonly tokens: IdpStore['tokens'] = {
    get: (tenant, id) => this.#tokens.get(tenant, id),
    put: (token) => this.#tokens.put(token),
    revoke: async (tenant, id, at) => {
      const token = this.#tokens.rows.get(key(tenant, id));
      if (!token || token.revokedAt !== undefined) return false;
      token.revokedAt = at;
      return true;
    },
    revokeFamily: async (tenant, familyId, at) =>
      this.#revokeMatching((token) => token.tenant === tenant && token.familyId === familyId, at),
    revokeWhere: async (tenant, query, at) => {
      if (query.clientId === undefined && query.subject === undefined) return 0;
      return this.#revokeMatching((token) => token.tenant === tenant && matches(token, query), at);
    },
    consume: async (tenant, id, at) => {
      const token = this.#tokens.rows.get(key(tenant, id));
      if (!token) return undefined;
      const replayed = token.consumedAt !== undefined || token.revokedAt !== undefined;
      if (!replayed) token.consumedAt = at;
      return { token: copy(token), replayed };
    },
    list: async (tenant, query) => {
      const found = [...this.#tokens.rows.values()].filter(
        (token) => token.tenant === tenant && matches(token, query),
      );
      return found.slice(0, query.limit ?? found.length).map(copy);
    },
    purgeExpired: async (before) => {
      let removed = 0;
      for (const [id, token] of this.#tokens.rows) {
        if (token.expiresAt < before) {
          this.#tokens.rows.delete(id);
          removed++;
        }
      }
      return removed;
    },
  };

  readonly keys: IdpStore['keys'] = {
    list: (tenant) => this.#keys.list(tenant),
    put: (signingKey) => this.#keys.put(signingKey),
  };

  readonly replay: IdpStore['replay'] = {
    remember: async (tenant, jti, expiresAt) => {
      const id = key(tenant, jti);
      if (this.#replay.has(id)) return false;
      this.#replay.set(id, expiresAt);
      return true;
    },
    purge: async (before) => {
      let removed = 0;
      for (const [id, expiresAt] of this.#replay) {
        if (expiresAt < before) {
          this.#replay.delete(id);
          removed++;
        }
      }
      return removed;
    },
  };

  #revokeMatching(predicate: (token: StoredToken) => boolean, at: number): number {
    let revoked = 0;
    for (const token of this.#tokens.rows.values()) {
      if (token.revokedAt === undefined && predicate(token)) {
        token.revokedAt = at;
        revoked++;
      }
    }
    return revoked;
  }
}

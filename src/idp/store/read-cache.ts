/**
 * @module idp/store/read-cache
 * A read-through cache of the records every request reads but that rarely change: tenants and clients.
 * Each introspection reads the tenant (routing), the caller client and the token's client; with SQLite
 * that is three point queries of ~6 µs each. Entries live `ttlMs` (default 2 s) and are dropped at once on
 * writes made through this store, so within one process a disabled client is refused immediately; another
 * process sharing the database sees the change within `ttlMs`. Tokens are never cached: a revocation must
 * take effect on the next introspection. Cached records are frozen, so no caller can alter them.
 */
import type { Client, Tenant } from '../model.ts';
import type { IdpStore } from './types.ts';

interface Entry<T> {
  value: T | undefined;
  deadline: number;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A bounded map of recent answers, unknown ones included (so a spray of unknown ids stays cheap too). */
class RecentAnswers<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(ttlMs: number, maxEntries: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  through(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const entry = this.#entries.get(key);
    const now = this.#now();
    // A hit resolves at once, without an async function's frame (this runs several times per request).
    if (entry && entry.deadline > now) return Promise.resolve(entry.value);
    return this.#load(key, load, now);
  }

  async #load(key: string, load: () => Promise<T | undefined>, now: number): Promise<T | undefined> {
    const value = deepFreeze(await load());
    this.#entries.delete(key);
    this.#entries.set(key, { value, deadline: now + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries)
      this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}

export interface ReadCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** Unambiguous whatever characters either part holds: the tenant's length comes first. */
const clientKey = (tenant: string, clientId: string) => `${tenant.length}:${tenant}${clientId}`;

/** Wraps a store; every other method passes through unchanged. */
export function withReadCache(store: IdpStore, options: ReadCacheOptions = {}): IdpStore {
  const ttlMs = options.ttlMs ?? 2000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const tenants = new RecentAnswers<Tenant>(ttlMs, maxEntries, now);
  const clients = new RecentAnswers<Client>(ttlMs, maxEntries, now);
  return {
    migrate: () => store.migrate(),
    close: () => store.close(),
    tenants: {
      list: () => store.tenants.list(),
      get: (id) => tenants.through(id, () => store.tenants.get(id)),
      put: async (tenant) => {
        await store.tenants.put(tenant);
        tenants.forget(tenant.id);
      },
      delete: async (id) => {
        const deleted = await store.tenants.delete(id);
        tenants.forget(id);
        return deleted;
      },
    },
    clients: {
      list: (tenant) => store.clients.list(tenant),
      get: (tenant, clientId) =>
        clients.through(clientKey(tenant, clientId), () => store.clients.get(tenant, clientId)),
      put: async (client) => {
        await store.clients.put(client);
        clients.forget(clientKey(client.tenant, client.clientId));
      },
      delete: async (tenant, clientId) => {
        const deleted = await store.clients.delete(tenant, clientId);
        clients.forget(clientKey(tenant, clientId));
        return deleted;
      },
    },
    users: store.users,
    tokens: store.tokens,
    keys: store.keys,
    replay: store.replay,
  };
}

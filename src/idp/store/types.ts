/**
 * @module idp/store/types
 * The one store interface of the IdP. Implementations: memory (tests), SQLite (`node:sqlite`, the default)
 * and, in the scale-out issue, PostgreSQL; all pass one conformance suite (`conformance.ts`). Every method
 * is async so a networked store fits. Operations that must be atomic are single methods
 * (`tokens.consume`, `tokens.revokeFamily`), so no caller needs a transaction API.
 */
import type { Client, SigningKey, StoredToken, Tenant, User } from '../model.ts';

export interface TokenQuery {
  clientId?: string;
  subject?: string;
  /** Only tokens neither revoked nor expired at this time (epoch seconds). */
  activeAt?: number;
  limit?: number;
}

export interface IdpStore {
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  tenants: {
    get(id: string): Promise<Tenant | undefined>;
    list(): Promise<Tenant[]>;
    put(tenant: Tenant): Promise<void>;
    delete(id: string): Promise<boolean>;
  };
  clients: {
    get(tenant: string, clientId: string): Promise<Client | undefined>;
    list(tenant: string): Promise<Client[]>;
    put(client: Client): Promise<void>;
    delete(tenant: string, clientId: string): Promise<boolean>;
  };
  users: {
    get(tenant: string, username: string): Promise<User | undefined>;
    list(tenant: string): Promise<User[]>;
    put(user: User): Promise<void>;
    delete(tenant: string, username: string): Promise<boolean>;
  };
  tokens: {
    get(tenant: string, id: string): Promise<StoredToken | undefined>;
    put(token: StoredToken): Promise<void>;
    /** Marks one token revoked; false when unknown or already revoked. */
    revoke(tenant: string, id: string, at: number): Promise<boolean>;
    /** Revokes every token of a family (refresh cascade, reuse detection); returns how many. */
    revokeFamily(tenant: string, familyId: string, at: number): Promise<number>;
    /** Revokes every token of a client and/or subject; returns how many. */
    revokeWhere(tenant: string, query: { clientId?: string; subject?: string }, at: number): Promise<number>;
    /**
     * Atomically marks an unconsumed, unrevoked refresh token consumed (rotation, RFC 9700 §4.14.2).
     * `replayed` is true when it had been consumed or revoked before: nothing changes and the caller
     * treats it as a stolen token. Undefined when unknown.
     */
    consume(
      tenant: string,
      id: string,
      at: number,
    ): Promise<{ token: StoredToken; replayed: boolean } | undefined>;
    list(tenant: string, query: TokenQuery): Promise<StoredToken[]>;
    /** Deletes tokens expired before `before` (epoch seconds); returns how many. */
    purgeExpired(before: number): Promise<number>;
  };
  keys: {
    list(tenant: string): Promise<SigningKey[]>;
    put(key: SigningKey): Promise<void>;
  };
  /** RFC 7523 §3 `jti` replay cache for client assertions. */
  replay: {
    /** Records a jti until `expiresAt` (epoch seconds); false when it was already recorded. */
    remember(tenant: string, jti: string, expiresAt: number): Promise<boolean>;
    purge(before: number): Promise<number>;
  };
}

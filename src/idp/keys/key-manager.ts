/**
 * @module idp/keys/key-manager
 * The signing keys of every tenant: the one active key that signs, the published set (JWKS, RFC 7517 §5)
 * that verifies, and rotation.
 *
 * Lifecycle. A tenant gets its first key on first use. `rotate` makes a new active key and retires the old
 * one with `publishUntil = now + maxTokenLifetime`: the retired key signs nothing more, but stays in the
 * JWKS until the last token it signed has expired, so resource servers holding such a token can still
 * verify it (RFC 7517 §5, key rollover); after that it drops out of the JWKS and out of verification.
 *
 * Caching. Each tenant's key list is loaded once and re-read from the store every `refreshSeconds` (default
 * a minute, or what the store advises: see `SharedKeyTable`), so an instance notices a rotation made by
 * another instance sharing the store; a `kid` it does not know makes it re-read at once (at most once a
 * second, so garbage `kid`s cannot hammer the store). Imported key objects are cached per `kid`: importing a
 * JWK on every call would roughly halve jose's signing throughput.
 *
 * Concurrency. Every change to a tenant's list (load, first key, rotation) is chained on the previous one,
 * so concurrent first calls for a tenant create exactly one key. Across processes, a store shared by
 * replicas serializes key creation (`SharedKeyTable.exclusive`): the first key and a rotation are decided
 * on the list as re-read under that lock, so replicas starting or rotating at the same moment make one key.
 */
import { type CryptoKey, importJWK, type JWK } from 'jose';
import type { SigningKey } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { generateSigningKey } from './signing-key.ts';

export interface KeyManagerOptions {
  store: IdpStore;
  /** Current time, epoch seconds. */
  now?: () => number;
  /** JWS algorithm of new keys; RS256 is the one every RFC 9068 party MUST support (§2.1). */
  algorithm?: string;
  /** Longest lifetime (seconds) of anything a key signs: a retired key stays published this long. */
  maxTokenLifetime?: number;
  /** Seconds a tenant's cached key list is used before it is re-read; default the store's advice, else 60. */
  refreshSeconds?: number;
}

/**
 * What a store shared by several IdP processes (replicas) may add to its `keys` table so that they agree on
 * the signing keys. The PostgreSQL store has both members; the embedded stores have neither.
 */
export interface SharedKeyTable {
  /** How long (seconds) a process may sign and publish from its cached key list before re-reading it. */
  readonly refreshSeconds?: number;
  /**
   * Runs `work` while no other process runs key work for `tenant`, the key reads and writes made inside it
   * in one transaction: of replicas creating or rotating a key at the same moment, one does, and the others
   * find its key when their turn comes.
   */
  exclusive?<T>(tenant: string, work: () => Promise<T>): Promise<T>;
}

/** What signing needs: the header members and the private key object. */
export interface ActiveKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
}

interface TenantKeys {
  keys: SigningKey[];
  /** When the list was read from the store (epoch seconds). */
  loadedAt: number;
}

/** A day: longer than any sensible access-token lifetime, so no token outlives its key by default. */
const DEFAULT_MAX_TOKEN_LIFETIME = 86_400;
/** How stale a tenant's cached key list may get before it is re-read (another instance may have rotated). */
const DEFAULT_REFRESH_SECONDS = 60;
/** Minimum interval between re-reads triggered by an unknown `kid`. */
const UNKNOWN_KID_RELOAD_SECONDS = 1;

const wallClock = () => Math.floor(Date.now() / 1000);

function isPublished(key: SigningKey, now: number): boolean {
  return key.retiredAt === undefined || (key.publishUntil ?? 0) > now;
}

/** The newest unretired key; several exist only if two instances created one at the same moment. */
function activeOf(keys: readonly SigningKey[]): SigningKey | undefined {
  let active: SigningKey | undefined;
  for (const key of keys) {
    if (key.retiredAt === undefined && (!active || key.createdAt >= active.createdAt)) active = key;
  }
  return active;
}

export class KeyManager {
  readonly #store: IdpStore;
  readonly #now: () => number;
  readonly #algorithm: string;
  readonly #maxTokenLifetime: number;
  readonly #refreshSeconds: number;
  readonly #shared: SharedKeyTable;
  /** Per tenant, the latest state; each change is chained on the one before (single flight). */
  readonly #tenants = new Map<string, Promise<TenantKeys>>();
  /** Imported key objects by `tenant\nkid\npart`. */
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(options: KeyManagerOptions) {
    this.#store = options.store;
    this.#now = options.now ?? wallClock;
    this.#algorithm = options.algorithm ?? 'RS256';
    this.#maxTokenLifetime = options.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME;
    this.#shared = options.store.keys as SharedKeyTable;
    this.#refreshSeconds = options.refreshSeconds ?? this.#shared.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  }

  /** The algorithm new keys are made for. */
  get algorithm(): string {
    return this.#algorithm;
  }

  /** The key that signs now; creates the tenant's first key when it has none. */
  async activeKey(tenant: string): Promise<ActiveKey> {
    const key = activeOf((await this.#withActiveKey(tenant)).keys)!;
    return { kid: key.kid, alg: key.alg, privateKey: await this.#import(key, 'private') };
  }

  /** The published public keys (RFC 7517 §5): the active one and retired ones still covering live tokens. */
  async jwks(tenant: string): Promise<{ keys: JWK[] }> {
    const { keys } = await this.#withActiveKey(tenant);
    const now = this.#now();
    return {
      keys: keys
        .filter((key) => isPublished(key, now))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((key) => ({ ...key.publicJwk })),
    };
  }

  /**
   * Makes a new active key; the old one keeps verifying for `maxTokenLifetime` seconds, then drops out.
   * Simultaneous calls make one key: a rotation that finds the key it was to retire already retired
   * (another call, maybe on another replica, rotated meanwhile) takes that rotation's key as its own.
   */
  async rotate(tenant: string): Promise<SigningKey> {
    // The key this rotation retires: the active one as the store has it now, not as cached.
    const due = activeOf(await this.#store.keys.list(tenant))?.kid;
    let created: SigningKey | undefined;
    await this.#change(tenant, () =>
      this.#exclusive(tenant, async () => {
        const now = this.#now();
        // Read the list afresh, under the lock: another instance may have rotated since.
        const stored = await this.#store.keys.list(tenant);
        const active = activeOf(stored);
        if (active && active.kid !== due) {
          created = active;
          return { keys: stored, loadedAt: now };
        }
        const generated = await this.#generate(tenant, now);
        created = generated;
        // The new key is stored before the old one is retired: a crash in between leaves two active keys
        // (harmless, the newest signs), never none.
        await this.#store.keys.put(generated);
        const keys: SigningKey[] = [];
        for (const key of stored) {
          if (key.retiredAt !== undefined) {
            keys.push(key);
            continue;
          }
          const retired = { ...key, retiredAt: now, publishUntil: now + this.#maxTokenLifetime };
          await this.#store.keys.put(retired);
          keys.push(retired);
        }
        keys.push(generated);
        return { keys, loadedAt: now };
      }),
    );
    return structuredClone(created!);
  }

  /** The public key `kid` of `tenant` while it is published, else undefined. Never creates a key. */
  async verificationKey(tenant: string, kid: string): Promise<CryptoKey | undefined> {
    let state = await this.#fresh(tenant, this.#refreshSeconds);
    let key = state.keys.find((candidate) => candidate.kid === kid);
    if (!key) {
      state = await this.#fresh(tenant, UNKNOWN_KID_RELOAD_SECONDS);
      key = state.keys.find((candidate) => candidate.kid === kid);
    }
    return key && isPublished(key, this.#now()) ? this.#import(key, 'public') : undefined;
  }

  /** The tenant's state, re-read when older than `maxAge` seconds. */
  async #fresh(tenant: string, maxAge: number): Promise<TenantKeys> {
    const state = await this.#state(tenant);
    if (this.#now() - state.loadedAt < maxAge) return state;
    return this.#change(tenant, async (current) =>
      this.#now() - current.loadedAt < maxAge ? current : this.#load(tenant),
    );
  }

  /** The tenant's state with an active key in it, creating the first key if needed. */
  async #withActiveKey(tenant: string): Promise<TenantKeys> {
    const state = await this.#fresh(tenant, this.#refreshSeconds);
    if (activeOf(state.keys)) return state;
    // Chained: of N concurrent callers the first creates the key, the others find it in `current`.
    return this.#change(tenant, async (current) => {
      if (activeOf(current.keys)) return current;
      return this.#exclusive(tenant, async () => {
        // Re-read under the lock: another process sharing the store may have made the first key meanwhile.
        const keys = await this.#store.keys.list(tenant);
        const now = this.#now();
        if (activeOf(keys)) return { keys, loadedAt: now };
        const generated = await this.#generate(tenant, now);
        await this.#store.keys.put(generated);
        return { keys: [...keys, generated], loadedAt: now };
      });
    });
  }

  /** `work` under the store's key lock when it has one (replicas), else as it is (one process). */
  #exclusive<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    return this.#shared.exclusive ? this.#shared.exclusive(tenant, work) : work();
  }

  #state(tenant: string): Promise<TenantKeys> {
    return this.#tenants.get(tenant) ?? this.#change(tenant, async () => this.#load(tenant));
  }

  /** Runs `update` after every earlier change of the tenant and makes its result the tenant's state. */
  #change(tenant: string, update: (current: TenantKeys) => Promise<TenantKeys>): Promise<TenantKeys> {
    const previous = this.#tenants.get(tenant);
    // A failed earlier change (store down) must not poison later calls: start again from the store.
    const base = previous
      ? previous.catch(() => this.#load(tenant))
      : Promise.resolve({ keys: [], loadedAt: -Infinity });
    const next = base.then(update);
    this.#tenants.set(tenant, next);
    next.catch(() => {
      if (this.#tenants.get(tenant) === next) this.#tenants.delete(tenant);
    });
    return next;
  }

  async #load(tenant: string): Promise<TenantKeys> {
    return { keys: await this.#store.keys.list(tenant), loadedAt: this.#now() };
  }

  /** A new key, whose key objects go straight into the import cache. */
  async #generate(tenant: string, now: number): Promise<SigningKey> {
    const { record, privateKey, publicKey } = await generateSigningKey(tenant, this.#algorithm, now);
    this.#imported.set(`${tenant}\n${record.kid}\nprivate`, Promise.resolve(privateKey));
    this.#imported.set(`${tenant}\n${record.kid}\npublic`, Promise.resolve(publicKey));
    return record;
  }

  #import(key: SigningKey, part: 'private' | 'public'): Promise<CryptoKey> {
    const id = `${key.tenant}\n${key.kid}\n${part}`;
    let imported = this.#imported.get(id);
    if (!imported) {
      const jwk = part === 'private' ? key.privateJwk : key.publicJwk;
      imported = importJWK(jwk, key.alg) as Promise<CryptoKey>;
      this.#imported.set(id, imported);
      imported.catch(() => this.#imported.delete(id));
    }
    return imported;
  }
}

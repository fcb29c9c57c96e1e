/**
 * @module cache/redis-cache
 * The shared cache of a scaled-out deployment: answers cached by one replica serve every replica, through
 * Redis, with a short-lived in-process LRU (L1) in front so a repeated hit costs no network round trip.
 *
 * What Redis holds (under `keyPrefix`): each answer as the `CachedAnswer` JSON (every field preserved),
 * under the hashed key the pipeline gives (`cache/key.ts`: never a raw token), with a Redis TTL no longer
 * than the answer's `expiresAt`; and index sets by `jti`, subject and client (`cache/redis-index.ts`) for
 * `evictMatching`. Redis is trusted like the IdP's answers it stores: keep it private and authenticated.
 *
 * Redis is an optimisation, never a dependency of a request: the constructor returns at once and connects
 * in the background; a command waits at most `commandTimeoutMs`; while Redis is down, refusing or slow the
 * cache serves from L1 alone (`get` misses, `set`/`delete` do not throw) and requests go to the IdP on a
 * miss (`cache/redis-health.ts`). Deletes and evictions that could not reach Redis meanwhile are replayed
 * when it is back (`cache/redis-pending.ts`).
 *
 * When Redis comes back after being unavailable, L1 is cleared: entries other replicas deleted meanwhile
 * (revocations, whose events may also have been missed) may still sit in this L1. Listeners registered
 * with `onReconnect` run after that, for whatever else depends on the gap (the revocation subscriber).
 *
 * Redis is not read while it may hold what must not be served: while an invalidation of several commands
 * runs there (`clear`, `evictMatching`, `deleteByPrefix` read before they delete: a lookup in between would
 * return, and keep in L1 for `l1.ttl`, an entry about to go), and once back, until the invalidations it
 * missed are replayed. A lookup overlapping such an invalidation is a miss too. (`delete` is one command,
 * sent at once: lookups sent after it are answered after it.) With `clearOnReconnect` (set when revocation
 * events are on: they travel on the same Redis, so a Redis outage is a gap nobody heard revocations
 * through) the replay starts with a clear: an answer cached before the outage for a token revoked during
 * it is never served again, whichever of this cache and the revocation subscriber reconnects first.
 *
 * Metrics: the `<name>_l1` cache label counts the in-process tier (hits, misses, evictions); `<name>`
 * counts the Redis lookups made on L1 misses (a lookup shared by concurrent callers counts once, and a
 * lookup skipped while Redis is unavailable counts as a miss).
 */
import { configInvalid } from '../errors/tokenguard-error.ts';
import { type Logger, silentLogger } from '../observability/logger.ts';
import { loadRedis } from '../util/optional-peer.ts';
import { LruCache } from './lru-cache.ts';
import {
  checkRedisUrl,
  clientOptions,
  escapeGlob,
  MIN_REDIS_MAJOR,
  type RedisClient,
  redactRedisUrl,
  redisMajorVersion,
  replies,
} from './redis-client.ts';
import { type RedisCacheState, RedisHealth } from './redis-health.ts';
import { entryKeyOf, indexEntry, indexTargets, selectMembers, stemIndexKey } from './redis-index.ts';
import { PendingInvalidations } from './redis-pending.ts';
import { SingleFlight } from './single-flight.ts';
import type { CachedAnswer, CacheEvents, EvictionMatch, TokenCache } from './types.ts';

export type { RedisCacheState } from './redis-health.ts';

export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. The password is never logged. */
  url: string;
  /** Prefix of every key the cache writes; `clear` deletes exactly the keys under it. Default `tokenguard:`. */
  keyPrefix?: string;
  /** The in-process tier: `maxEntries` (default 10 000; 0 disables it), `ttlMs` (default 5 s). */
  l1?: { maxEntries?: number; ttlMs?: number };
  /** Deadline of one Redis command; past it the cache serves from L1. Default 150 ms. */
  commandTimeoutMs?: number;
  /** Cap of the reconnection back-off and of the pause after a failed command. Default 2 s. */
  reconnectMaxDelayMs?: number;
  /** `cache` label of the metrics. Default `redis`. */
  name?: string;
  logger?: Logger;
  events?: CacheEvents;
  now?: () => number;
  /** Config key of these settings (errors name `<configPath>.url`, `<configPath>.keyPrefix`). Default `redis`. */
  configPath?: string;
  /**
   * Delete every key under `keyPrefix` before reading Redis again after it was unavailable. Set it when
   * revocation events evict from this cache: events published during the outage were lost. Default false.
   */
  clearOnReconnect?: boolean;
}

const DEFAULT_L1_ENTRIES = 10_000;
const DEFAULT_L1_TTL_MS = 5_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 150;
const DEFAULT_RECONNECT_MAX_DELAY_MS = 2_000;
/** Keys per SCAN step of `clear`. */
const SCAN_COUNT = 1_000;
/** Distinct Redis error codes logged (each once), so a misconfigured Redis cannot flood the log. */
const MAX_LOGGED_REPLY_ERRORS = 20;

/** A `CachedAnswer` read back from Redis, or undefined when the value is not one. */
function decodeAnswer(raw: string): CachedAnswer | undefined {
  try {
    const value = JSON.parse(raw) as Partial<CachedAnswer> | null;
    if (
      typeof value?.claims === 'object' &&
      value.claims !== null &&
      typeof value.active === 'boolean' &&
      typeof value.expiresAt === 'number'
    ) {
      return value as CachedAnswer;
    }
  } catch {
    // Not JSON: treated as a miss, like any value this cache did not write.
  }
  return undefined;
}

/** An error Redis answered (as opposed to a lost connection or a timeout): Redis is there. */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

export class RedisCache implements TokenCache {
  /** `get` returns a promise on an L1 miss: the pipeline's no-await path uses `peek`. */
  readonly synchronous = false;
  readonly #prefix: string;
  readonly #name: string;
  readonly #l1Name: string;
  readonly #l1: LruCache;
  readonly #l1TtlMs: number;
  readonly #events: CacheEvents | undefined;
  readonly #logger: Logger;
  readonly #logFields: Readonly<Record<string, string>>;
  readonly #now: () => number;
  readonly #health: RedisHealth;
  readonly #pending = new PendingInvalidations();
  readonly #flight = new SingleFlight<CachedAnswer | undefined>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #stateListeners = new Set<(state: RedisCacheState, previous: RedisCacheState) => void>();
  readonly #loggedReplyErrors = new Set<string>();
  readonly #readyWaiters: { resolve(): void; reject(reason: Error): void }[] = [];
  readonly #started: Promise<void>;
  #client: RedisClient | undefined;
  /** Why Redis will never be used (package missing, server too old), once known. */
  #unusable: Error | undefined;
  #closed = false;
  /** Bumped by every invalidation: a Redis read begun before one neither fills L1 nor is joined after it. */
  #epoch = 0;
  readonly #clearOnReconnect: boolean;
  /** Invalidations of several commands begun (a lookup overlapping one misses) and running (lookups skip). */
  #invalidationsBegun = 0;
  #invalidationsRunning = 0;
  /** The invalidations Redis missed are being replayed: until done, reads skip Redis. */
  #replaying = false;

  constructor(options: RedisCacheOptions) {
    const configPath = options.configPath ?? 'redis';
    checkRedisUrl(options.url, `${configPath}.url`);
    this.#prefix = options.keyPrefix ?? 'tokenguard:';
    if (this.#prefix === '') {
      throw configInvalid(
        `${configPath}.keyPrefix`,
        'must not be empty (clearing the cache would empty the database)',
      );
    }
    this.#name = options.name ?? 'redis';
    this.#l1Name = `${this.#name}_l1`;
    this.#events = options.events;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#clearOnReconnect = options.clearOnReconnect ?? false;
    this.#l1TtlMs = options.l1?.ttlMs ?? DEFAULT_L1_TTL_MS;
    const events = this.#events;
    this.#l1 = new LruCache({
      maxEntries: options.l1?.maxEntries ?? DEFAULT_L1_ENTRIES,
      name: this.#l1Name,
      // Hits and misses are counted here (`peek` must not count a miss that `get` counts again).
      events: events && { hit() {}, miss() {}, eviction: (cache) => events.eviction(cache) },
      now: this.#now,
    });
    this.#logFields = { cache: this.#name, redis: redactRedisUrl(options.url) };
    const reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS;
    this.#health = new RedisHealth({
      logger: this.#logger,
      logFields: this.#logFields,
      now: this.#now,
      maxPauseMs: reconnectMaxDelayMs,
      onChange: (state, previous) => this.#stateChanged(state, previous),
    });
    const timings = {
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      reconnectMaxDelayMs,
    };
    if (!(timings.commandTimeoutMs > 0))
      throw configInvalid(`${configPath}.commandTimeout`, 'must be longer than 0');
    this.#started = this.#start(options.url, `${configPath}.url`, timings);
  }

  /** `connecting` until the first connection, `degraded` while serving from L1 only, else `ready`. */
  get state(): RedisCacheState {
    return this.#health.state;
  }

  /** Entries in the in-process tier. */
  get size(): number {
    return this.#l1.size;
  }

  /** L1 hit: the answer, synchronously. L1 miss: a promise of the Redis lookup (undefined on any failure). */
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined> {
    const local = this.#l1.get(key);
    if (local !== undefined) {
      this.#events?.hit(this.#l1Name);
      return local;
    }
    this.#events?.miss(this.#l1Name);
    const client = this.#usableClient();
    if (client === undefined || !this.#trusted()) {
      this.#events?.miss(this.#name);
      return undefined;
    }
    const epoch = this.#epoch;
    const invalidations = this.#invalidationsBegun;
    return this.#flight.run(`${epoch}:${key}`, () => this.#fetch(client, key, epoch, invalidations));
  }

  /** The in-process tier only, synchronously: for the pipeline's no-await path. */
  peek(key: string): CachedAnswer | undefined {
    const local = this.#l1.get(key);
    if (local !== undefined) this.#events?.hit(this.#l1Name);
    return local;
  }

  /** Stores in L1 and Redis for min(`ttlMs`, until `expiresAt`); the promise never rejects. */
  set(key: string, answer: CachedAnswer, ttlMs: number): void | Promise<void> {
    const ttl = Math.floor(Math.min(ttlMs, answer.expiresAt - this.#now()));
    if (!(ttl > 0)) return;
    this.#l1.set(key, answer, Math.min(ttl, this.#l1TtlMs));
    const client = this.#usableClient();
    if (client === undefined) return;
    const { setKeys, member } = indexEntry(key, answer.claims);
    const transaction = client.multi().set(this.#prefix + key, JSON.stringify(answer), 'PX', ttl);
    for (const setKey of setKeys) {
      // An index set lives as long as its longest-lived entry: NX gives a new set a TTL, GT only extends it.
      const indexKey = this.#prefix + setKey;
      transaction.sadd(indexKey, member).pexpire(indexKey, ttl, 'NX').pexpire(indexKey, ttl, 'GT');
    }
    return this.#settle(transaction.exec().then(replies));
  }

  /**
   * Deletes from L1 and Redis; tells whether there was an entry (in either). A delete Redis could not take
   * is replayed when it is back.
   */
  delete(key: string): boolean | Promise<boolean> {
    this.#epoch++;
    const local = this.#l1.delete(key) === true;
    const client = this.#usableClient();
    if (client === undefined) {
      this.#pending.delete(key);
      return local;
    }
    return client.unlink(this.#prefix + key).then(
      (deleted) => {
        this.#health.commandSucceeded();
        return local || deleted > 0;
      },
      (error: unknown) => {
        this.#failed(error);
        this.#pending.delete(key);
        return local;
      },
    );
  }

  /**
   * Deletes every entry whose key starts with one of `prefixes` (the pipeline's `<prefix>.<token hash>.`
   * for answers keyed with forwarded request values); resolves how many Redis held (or L1, if more). A
   * stem prefix reads its index set; any other prefix scans the keys under `keyPrefix`.
   */
  deleteByPrefix(prefixes: readonly string[]): number | Promise<number> {
    this.#epoch++;
    const l1: TokenCache = this.#l1;
    const local = l1.deleteByPrefix ? (l1.deleteByPrefix(prefixes) as number) : this.#clearLocalCounted();
    return this.#evictShared(
      local,
      (client) => this.#deletePrefixesShared(client, prefixes),
      () => {
        for (const prefix of prefixes) this.#pending.deletePrefix(prefix);
      },
    );
  }

  /** Empties L1 and deletes every key under `keyPrefix` in Redis (SCAN + UNLINK; never FLUSHDB). */
  clear(): void | Promise<void> {
    this.#epoch++;
    this.#l1.clear();
    const client = this.#usableClient();
    if (client === undefined) return this.#pending.clear();
    return this.#settle(this.#clearShared(client), () => this.#pending.clear());
  }

  /** Whether Redis may be read: no invalidation running there, nothing missed left to replay. */
  #trusted(): boolean {
    return this.#invalidationsRunning === 0 && !this.#replaying && this.#pending.empty;
  }

  /**
   * Empties this process's L1 only, leaving Redis (and so the other replicas) as it is: what a replica does
   * after missing revocation events that the other replicas applied to Redis.
   */
  clearLocal(): void {
    this.#epoch++;
    this.#l1.clear();
  }

  /**
   * Deletes the entries whose claims match, in L1 and, through the index sets, in Redis. Resolves the number
   * of Redis entries deleted (the L1 count when larger, or when Redis is unavailable: then the eviction is
   * replayed when Redis is back).
   */
  evictMatching(match: EvictionMatch): number | Promise<number> {
    this.#epoch++;
    return this.#evictShared(
      this.#evictLocal(match),
      (client) => this.#evictMatchingShared(client, match),
      () => this.#pending.evict(match),
    );
  }

  /** Runs `listener` each time Redis is back after being unavailable (L1 is already cleared then). */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /** Runs `listener` on each change of `state`. */
  onStateChange(listener: (state: RedisCacheState, previous: RedisCacheState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /**
   * Resolves once Redis is ready (at once if it is); rejects when it never can be (ioredis not installed:
   * a `configInvalid` error; a Redis older than 7.0) or when the cache is closed first.
   */
  whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.#unusable) return Promise.reject(this.#unusable);
    if (this.#closed) return Promise.reject(new Error('the shared cache is closed'));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /** Closes the connection (QUIT, or a disconnect when Redis does not answer). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#health.stop();
    this.#rejectWaiters(new Error('the shared cache is closed'));
    await this.#started;
    const client = this.#client;
    if (client === undefined) return;
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  async #start(url: string, urlPath: string, timings: Parameters<typeof clientOptions>[0]): Promise<void> {
    let Redis: Awaited<ReturnType<typeof loadRedis>>;
    try {
      Redis = await loadRedis(urlPath);
    } catch (error) {
      return this.#disable(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.#closed) return;
    const client = new Redis(url, clientOptions(timings));
    let lastError: unknown;
    // ioredis reports each failed (re)connection as 'error' then 'close'; the state follows 'close'.
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    client.on('close', () => this.#health.connectionDown(lastError));
    client.on('ready', () => {
      lastError = undefined;
      void this.#connected(client);
    });
    this.#client = client;
  }

  /** A (re)connection is ready: check once that Redis is recent enough, then serve from it. */
  async #connected(client: RedisClient): Promise<void> {
    const major = redisMajorVersion(await client.info('server').catch(() => ''));
    if (major !== undefined && major < MIN_REDIS_MAJOR) {
      client.disconnect();
      return this.#disable(new Error(`Redis ${MIN_REDIS_MAJOR}.0 or later is needed, this one is ${major}`));
    }
    if (client.status === 'ready') this.#health.connectionUp();
  }

  /** Redis will never be used: serve from L1 for good, and say why once. */
  #disable(reason: Error): void {
    this.#unusable = reason;
    this.#logger.error({ ...this.#logFields, error: reason.message }, 'shared cache disabled');
    this.#health.connectionDown(reason);
    this.#health.stop();
    this.#rejectWaiters(reason);
  }

  #rejectWaiters(reason: Error): void {
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(reason);
  }

  #usableClient(): RedisClient | undefined {
    return this.#health.admits() ? this.#client : undefined;
  }

  async #fetch(
    client: RedisClient,
    key: string,
    epoch: number,
    invalidations: number,
  ): Promise<CachedAnswer | undefined> {
    let raw: string | null;
    try {
      raw = await client.get(this.#prefix + key);
      this.#health.commandSucceeded();
    } catch (error) {
      this.#failed(error);
      this.#events?.miss(this.#name);
      return undefined;
    }
    // An invalidation begun meanwhile may have been about to delete this very entry: not served.
    const overlapped = invalidations !== this.#invalidationsBegun || !this.#trusted();
    const answer = raw === null || overlapped ? undefined : decodeAnswer(raw);
    if (answer === undefined || answer.expiresAt <= this.#now()) {
      this.#events?.miss(this.#name);
      return undefined;
    }
    if (epoch === this.#epoch) this.#l1.set(key, answer, this.#l1TtlMs);
    this.#events?.hit(this.#name);
    return answer;
  }

  /**
   * Runs a counted eviction in Redis after L1 (`local` entries): resolves the larger count, or `local` when
   * Redis cannot take it, then kept by `remember` for the replay.
   */
  #evictShared(
    local: number,
    evict: (client: RedisClient) => Promise<number>,
    remember: () => void,
  ): number | Promise<number> {
    const client = this.#usableClient();
    if (client === undefined) {
      remember();
      return local;
    }
    return this.#invalidating(() => evict(client)).then(
      (shared) => {
        this.#health.commandSucceeded();
        return Math.max(local, shared);
      },
      (error: unknown) => {
        this.#failed(error);
        remember();
        return local;
      },
    );
  }

  /** Awaits a write; on failure records it (and runs `onFailure`) instead of rejecting. */
  #settle(write: Promise<unknown>, onFailure?: () => void): Promise<void> {
    return write.then(
      () => this.#health.commandSucceeded(),
      (error: unknown) => {
        this.#failed(error);
        onFailure?.();
      },
    );
  }

  /** A failed command: Redis unreachable or slow (degrade), or an error Redis answered (log it once). */
  #failed(error: unknown): void {
    if (!isReplyError(error)) {
      this.#health.commandFailed(error);
      return;
    }
    const code = error.message.split(' ', 1)[0];
    if (this.#loggedReplyErrors.has(code) || this.#loggedReplyErrors.size >= MAX_LOGGED_REPLY_ERRORS) return;
    this.#loggedReplyErrors.add(code);
    this.#logger.warn({ ...this.#logFields, error: error.message }, 'shared cache command refused by Redis');
  }

  /** Runs a multi-command invalidation of Redis; lookups meanwhile skip Redis (see the module comment). */
  async #invalidating<T>(work: () => Promise<T>): Promise<T> {
    this.#invalidationsBegun++;
    this.#invalidationsRunning++;
    try {
      return await work();
    } finally {
      this.#invalidationsRunning--;
    }
  }

  async #clearShared(client: RedisClient): Promise<void> {
    await this.#invalidating(() => this.#unlinkScanned(client, `${escapeGlob(this.#prefix)}*`));
  }

  /** Deletes the keys matching a SCAN pattern, a batch per step; resolves how many it deleted. */
  async #unlinkScanned(client: RedisClient, pattern: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  }

  /** L1 by its own matcher when the LRU has one; else all of L1 goes (it lives seconds: a few extra misses). */
  #evictLocal(match: EvictionMatch): number {
    const l1: TokenCache = this.#l1;
    return l1.evictMatching ? (l1.evictMatching(match) as number) : this.#clearLocalCounted();
  }

  #clearLocalCounted(): number {
    const size = this.#l1.size;
    this.#l1.clear();
    return size;
  }

  /** One round trip per stem prefix set (read, then delete its keys and itself); a scan for any other. */
  async #deletePrefixesShared(client: RedisClient, prefixes: readonly string[]): Promise<number> {
    const stems: string[] = [];
    let deleted = 0;
    for (const prefix of prefixes) {
      const setKey = stemIndexKey(prefix);
      if (setKey) stems.push(this.#prefix + setKey);
      else deleted += await this.#unlinkScanned(client, `${escapeGlob(this.#prefix + prefix)}*`);
    }
    if (stems.length === 0) return deleted;
    const read = client.pipeline();
    for (const setKey of stems) read.smembers(setKey);
    const members = (replies(await read.exec()) as string[][]).flat();
    const keys = members.map((member) => this.#prefix + entryKeyOf(member));
    if (keys.length === 0) return deleted;
    const [unlinked] = replies(
      await client
        .multi()
        .unlink(...keys)
        .unlink(...stems)
        .exec(),
    ) as number[];
    return deleted + unlinked;
  }

  /** Two round trips: read the matching index sets, then delete their entries and members at once. */
  async #evictMatchingShared(client: RedisClient, match: EvictionMatch): Promise<number> {
    const targets = indexTargets(match);
    if (targets.length === 0) return 0;
    const read = client.pipeline();
    for (const target of targets) read.smembers(this.#prefix + target.setKey);
    const sets = replies(await read.exec()) as string[][];
    const keys = new Set<string>();
    const transaction = client.multi();
    targets.forEach((target, i) => {
      const taken = selectMembers(sets[i], target, match.issuer);
      if (taken.length === 0) return;
      // SREM, not DEL: members added since the read (new entries) stay indexed.
      transaction.srem(this.#prefix + target.setKey, ...taken);
      for (const member of taken) keys.add(this.#prefix + entryKeyOf(member));
    });
    if (keys.size === 0) return 0;
    transaction.unlink(...keys);
    return replies(await transaction.exec()).at(-1) as number;
  }

  #stateChanged(state: RedisCacheState, previous: RedisCacheState): void {
    if (state === 'ready') {
      if (previous === 'degraded') {
        this.#epoch++;
        this.#l1.clear();
        if (this.#clearOnReconnect) this.#pending.clear();
        for (const listener of this.#reconnectListeners) this.#run(listener);
      }
      for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
      void this.#replay();
    }
    for (const listener of this.#stateListeners) this.#run(() => listener(state, previous));
  }

  #run(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.#logger.error({ ...this.#logFields, err: error }, 'shared cache listener failed');
    }
  }

  /** Sends the invalidations Redis missed while unavailable; puts them back if it fails again. */
  async #replay(): Promise<void> {
    const client = this.#usableClient();
    if (client === undefined || this.#pending.empty || this.#replaying) return;
    const batch = this.#pending.take();
    this.#replaying = true;
    try {
      if (batch.clear) await this.#clearShared(client);
      else {
        if (batch.keys.length > 0) await client.unlink(...batch.keys.map((key) => this.#prefix + key));
        if (batch.prefixes.length > 0) await this.#deletePrefixesShared(client, batch.prefixes);
        for (const match of batch.matches) await this.#evictMatchingShared(client, match);
      }
    } catch (error) {
      this.#pending.restore(batch);
      this.#failed(error);
    } finally {
      this.#replaying = false;
    }
  }
}

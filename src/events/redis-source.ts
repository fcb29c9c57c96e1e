/**
 * @module events/redis-source
 * Revocation events from Redis pub/sub (`SUBSCRIBE <channel>`, one JSON event per message).
 *
 * Pub/sub has no memory: a message published while the subscriber is disconnected is gone. So the
 * subscription is managed here rather than by ioredis's automatic re-subscription: on every `ready` we
 * subscribe ourselves, and only once Redis has confirmed the subscription do we report the source live
 * (the subscriber flushes then: anything revoked while we were away is covered, and nothing revoked after
 * the confirmation can be missed). Reconnection uses our capped, jittered back-off as ioredis's
 * `retryStrategy`. A connection can also die silently (a dropped NAT entry, a paused VM): a PING every
 * `pingIntervalMs`, answered within the command timeout, proves it alive, else it is dropped and re-made.
 *
 * ioredis is loaded through `util/optional-peer` (`loadRedis`), so deployments without Redis never need it.
 */
import type { Redis } from 'ioredis';
import { redactRedisUrl } from '../cache/redis-client.ts';
import type { Logger } from '../observability/logger.ts';
import { loadRedis } from '../util/optional-peer.ts';
import type { Backoff } from './backoff.ts';
import { parseRevocationEvent } from './event-json.ts';
import type { RevocationSource, SourceListener } from './source.ts';

export interface RedisSourceOptions {
  url: string;
  channel: string;
  backoff: Backoff;
  listener: SourceListener;
  logger: Logger;
  /** The config key of `url`, named when ioredis is not installed. */
  configPath: string;
  /** Interval of the liveness PING, ms (default 15 s). */
  pingIntervalMs?: number;
  /** Deadline of a command (SUBSCRIBE, PING) and of connecting, ms (default 5 s). */
  commandTimeoutMs?: number;
}

const DEFAULT_PING_INTERVAL_MS = 15_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

export class RedisRevocationSource implements RevocationSource {
  readonly #options: RedisSourceOptions;
  #client: Redis | undefined;
  #ping: NodeJS.Timeout | undefined;
  #closed = false;
  /** The current connection has a confirmed subscription (a `close` then means a loss). */
  #subscribed = false;

  constructor(options: RedisSourceOptions) {
    this.#options = options;
  }

  /** Connects and subscribes in the background; failures are reported to the listener and retried. */
  async start(): Promise<void> {
    const { url, backoff, configPath } = this.#options;
    const RedisClass = await loadRedis(configPath);
    if (this.#closed) return;
    const timeout = this.#options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const client = new RedisClass(url, {
      lazyConnect: true,
      autoResubscribe: false,
      // Commands are only sent on a ready connection; one issued otherwise fails at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeout,
      connectTimeout: timeout,
      retryStrategy: () => backoff.next(),
      connectionName: 'tokenguard-revocations',
    });
    this.#client = client;
    client.on('ready', () => void this.#subscribe(client));
    client.on('close', () => this.#lost(new Error(`connection to ${redactRedisUrl(url)} closed`)));
    // Without a listener an `error` event would crash the process; the `close` that follows reports it.
    client.on('error', (error: Error) => this.#options.logger.debug({ err: error.message }, 'redis error'));
    client.on('message', (channel: string, message: string) => {
      if (channel !== this.#options.channel) return;
      const event = parseRevocationEvent(message);
      this.#options.listener.event(event, event ? undefined : 'the message is not a revocation event');
    });
    client.connect().catch((error: unknown) => {
      // The first attempt failed; ioredis keeps retrying on the back-off.
      this.#lost(error);
    });
  }

  async #subscribe(client: Redis): Promise<void> {
    try {
      await client.subscribe(this.#options.channel);
    } catch (error) {
      if (this.#closed) return;
      this.#lost(error);
      client.disconnect(true);
      return;
    }
    if (this.#closed) return;
    this.#subscribed = true;
    this.#options.backoff.reset();
    this.#startPing(client);
    this.#options.listener.live(false);
  }

  #startPing(client: Redis): void {
    clearInterval(this.#ping);
    this.#ping = setInterval(() => {
      client.ping().catch((error: unknown) => {
        if (this.#closed || !this.#subscribed) return;
        this.#lost(error);
        // A connection that cannot answer PING cannot be trusted to deliver messages: make a new one.
        client.disconnect(true);
      });
    }, this.#options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.#ping.unref();
  }

  #lost(error: unknown): void {
    if (this.#closed) return;
    this.#subscribed = false;
    clearInterval(this.#ping);
    this.#options.listener.down(error);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ping);
    this.#client?.disconnect(false);
  }
}

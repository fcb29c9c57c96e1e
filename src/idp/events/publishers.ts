/**
 * @module idp/events/publishers
 * Where the IdP's revocation events go: every configured channel at once (`fanOut`), Redis pub/sub being
 * one (`RedisRevocationPublisher`), the in-process SSE hub the other (`hub`).
 *
 * A revocation must never wait long on, or fail because of, a channel: the fan-out catches and counts each
 * channel's failure, and the Redis publisher gives up after `idp.events.redis.publishTimeout` (ioredis's
 * command timeout; commands issued while reconnecting wait in its offline queue until then, so a Redis
 * restart of a second loses nothing). Subscribers that missed an event flush on their own when they
 * notice the gap, so a lost publication costs cache hits, not safety, for them.
 */
import type { Redis } from 'ioredis';
import { redactRedisUrl } from '../../cache/redis-client.ts';
import { Backoff } from '../../events/backoff.ts';
import { serializeRevocationEvent } from '../../events/event-json.ts';
import type { RevocationEvent, RevocationPublisher } from '../../events/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { loadRedis } from '../../util/optional-peer.ts';

/** Publishing outcomes per channel, since start. */
export interface PublishCounts {
  published: number;
  failed: number;
}

export interface NamedPublisher {
  name: string;
  publisher: RevocationPublisher;
}

/** A publisher sending to all `channels` in parallel; it never rejects. */
export class FanOutPublisher implements RevocationPublisher {
  readonly #channels: readonly NamedPublisher[];
  readonly #logger: Logger;
  readonly #counts = new Map<string, PublishCounts>();

  constructor(channels: readonly NamedPublisher[], logger: Logger) {
    this.#channels = channels;
    this.#logger = logger;
    for (const { name } of channels) this.#counts.set(name, { published: 0, failed: 0 });
  }

  /** Outcomes per channel name (`redis`, `sse`). */
  counts(): Record<string, PublishCounts> {
    return Object.fromEntries([...this.#counts].map(([name, counts]) => [name, { ...counts }]));
  }

  async publish(event: RevocationEvent): Promise<void> {
    await Promise.all(
      this.#channels.map(async ({ name, publisher }) => {
        const counts = this.#counts.get(name)!;
        try {
          await publisher.publish(event);
          counts.published++;
        } catch (error) {
          counts.failed++;
          this.#logger.warn(
            { channel: name, event_id: event.id, tenant: event.tenant, err: (error as Error).message },
            'revocation event not published',
          );
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#channels.map(({ publisher }) => publisher.close()));
  }
}

export interface RedisPublisherOptions {
  url: string;
  channel: string;
  timeoutMs: number;
  logger: Logger;
  /** Config key of `url`, named when ioredis is not installed. */
  configPath: string;
}

/** Publishes each event as JSON on a Redis channel (`PUBLISH`). */
export class RedisRevocationPublisher implements RevocationPublisher {
  readonly #client: Redis;
  readonly #channel: string;

  private constructor(client: Redis, channel: string) {
    this.#client = client;
    this.#channel = channel;
  }

  /** Creates the client; it connects in the background (and reconnects with a jittered back-off). */
  static async open(options: RedisPublisherOptions): Promise<RedisRevocationPublisher> {
    const RedisClass = await loadRedis(options.configPath);
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 10_000 });
    const client = new RedisClass(options.url, {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1000, options.timeoutMs),
      maxRetriesPerRequest: 1,
      retryStrategy: () => backoff.next(),
      connectionName: 'tokenguard-revocation-publisher',
    });
    let down = false;
    client.on('ready', () => {
      backoff.reset();
      if (down)
        options.logger.info({ redis: redactRedisUrl(options.url) }, 'revocation publisher reconnected');
      down = false;
    });
    client.on('error', (error: Error) => {
      if (!down)
        options.logger.warn(
          { redis: redactRedisUrl(options.url), err: error.message },
          'revocation publisher: redis unavailable',
        );
      down = true;
    });
    return new RedisRevocationPublisher(client, options.channel);
  }

  async publish(event: RevocationEvent): Promise<void> {
    await this.#client.publish(this.#channel, serializeRevocationEvent(event));
  }

  async close(): Promise<void> {
    this.#client.disconnect(false);
  }
}

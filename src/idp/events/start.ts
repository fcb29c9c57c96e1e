/**
 * @module idp/events/start
 * Assembling the IdP's revocation events from `idp.events`: the `RevocationEvents` service every revocation
 * reports to, its publishers (Redis pub/sub, the SSE hub), the SSE stream endpoint, and the relay that feeds
 * the hub with what other replicas publish on Redis, so a stream served by replica B carries revocations
 * made on replica A. The server (`createIdp`) starts all of it; the CLI, which runs beside the servers,
 * only publishes on Redis (the servers relay to their streams).
 */
import { Backoff } from '../../events/backoff.ts';
import { RedisRevocationSource } from '../../events/redis-source.ts';
import type { SourceListener } from '../../events/source.ts';
import type { RevocationEvent } from '../../events/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { IdpStore } from '../store/types.ts';
import { RevocationHub } from './hub.ts';
import { FanOutPublisher, type NamedPublisher, RedisRevocationPublisher } from './publishers.ts';
import { RevocationEvents } from './revocation-events.ts';
import { SetSigner } from './sign-set.ts';
import { RevocationStream } from './stream-endpoint.ts';
import { tenantIssuers } from './stream-route.ts';

export interface RevocationEventsSetup {
  store: IdpStore;
  logger: Logger;
  /** The base URL (the root tenant's issuer), once known; '' while unknown (then issuers come from tokens). */
  base: () => string;
  /** Given (the server), the SSE stream is served when `idp.events.sse.enabled`; its key signs the SETs. */
  keys?: Pick<KeyManager, 'activeKey'>;
}

export interface IdpRevocationEvents {
  revocations: RevocationEvents;
  /** The SSE endpoint; undefined when not served. */
  stream: RevocationStream | undefined;
  close(): Promise<void>;
}

/**
 * Feeds the hub from Redis. Pub/sub keeps nothing for absent subscribers, so after the relay's subscription
 * was lost (or came late) the hub may lack other replicas' events: it is told (`gap`), and its streams reset.
 */
function hubRelay(hub: RevocationHub, logger: Logger): SourceListener {
  let live = false;
  let failed = false;
  return {
    live() {
      if (failed) {
        logger.warn('revocation relay resubscribed: streams reset, events of other replicas may be missing');
        hub.gap();
      } else {
        logger.info('revocation relay subscribed');
      }
      live = true;
      failed = false;
    },
    down(error) {
      if (live || !failed)
        logger.warn({ err: (error as Error).message }, 'revocation relay lost its subscription');
      live = false;
      failed = true;
    },
    event(event: RevocationEvent | undefined, problem?: string) {
      if (event) {
        hub.deliver(event);
        return;
      }
      logger.warn({ problem }, 'unreadable message on the revocation channel: streams reset');
      hub.gap();
    },
    reset() {
      hub.gap();
    },
  };
}

export async function startRevocationEvents(
  config: IdpConfig,
  setup: RevocationEventsSetup,
): Promise<IdpRevocationEvents> {
  const { events } = config;
  const logger = setup.logger.child({ component: 'revocation-events' });
  const channels: NamedPublisher[] = [];
  const closers: (() => Promise<void>)[] = [];
  let hub: RevocationHub | undefined;
  let stream: RevocationStream | undefined;
  if (setup.keys && events.sse.enabled) {
    hub = new RevocationHub({ capacity: events.sse.bufferSize });
    stream = new RevocationStream({
      hub,
      signer: new SetSigner({ keys: setup.keys }),
      heartbeatMs: events.sse.heartbeat,
      maxStreams: events.sse.maxStreams,
    });
    channels.push({ name: 'sse', publisher: hub });
  }
  if (events.redis.url) {
    const publisher = await RedisRevocationPublisher.open({
      url: events.redis.url,
      channel: events.redis.channel,
      timeoutMs: events.redis.publishTimeout,
      logger,
      configPath: 'idp.events.redis.url',
    });
    channels.push({ name: 'redis', publisher });
    if (hub) {
      const relay = new RedisRevocationSource({
        url: events.redis.url,
        channel: events.redis.channel,
        backoff: new Backoff({ initialDelayMs: 200, maxDelayMs: 10_000 }),
        listener: hubRelay(hub, logger),
        logger,
        configPath: 'idp.events.redis.url',
      });
      await relay.start();
      closers.push(() => relay.close());
    }
  }
  const fanOut = new FanOutPublisher(channels, logger);
  const revocations = new RevocationEvents({
    store: setup.store,
    publisher: fanOut,
    logger,
    maxTokensPerEvent: events.maxTokensPerEvent,
    channelCounts: () => fanOut.counts(),
    issuersOf: (tenant) => {
      const base = setup.base();
      return base ? tenantIssuers(config.profiles, base, tenant) : [];
    },
  });
  return {
    revocations,
    stream,
    close: async () => {
      stream?.close();
      await Promise.all(closers.map((close) => close()));
      await fanOut.close();
    },
  };
}

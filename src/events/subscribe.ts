/**
 * @module events/subscribe
 * `subscribeRevocations(target, options)`: listens to the IdP's revocation events (Redis pub/sub or its
 * SSE stream) and evicts what each revokes from `target` (the library's `Authenticator`) at once, instead
 * of letting a revoked token live on in a cache until its TTL ends.
 *
 * The rule that keeps this safe: after any gap in delivery, the target is flushed before its cache is
 * trusted again, since an entry revoked during the gap cannot be told from the others. Gaps are: a first
 * subscription reached only after failed attempts (the target may have cached meanwhile), a lost Redis
 * subscription re-established (pub/sub keeps nothing for absent subscribers), an SSE stream re-opened
 * without a position, an SSE `reset` (the IdP could not replay from our position), and an event that cannot
 * be read or verified (it may have revoked something). An SSE stream re-opened with `Last-Event-ID` and
 * answered by a replay is not a gap. Events and flushes are applied strictly in arrival order.
 *
 * Each change of state is logged once (`live`, `down`), never once per retry.
 */

import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { sameIssuer } from '../discovery/issuer-identifier.ts';
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import { basicCredentials } from '../introspection/client-credentials.ts';
import { KeySets } from '../jwt/key-sets.ts';
import { type Logger, silentLogger } from '../observability/logger.ts';
import { HttpClient } from '../util/http-client.ts';
import { applyRevocation } from './apply.ts';
import { Backoff } from './backoff.ts';
import {
  parseRevocationEventsConfig,
  type RevocationEventsConfig,
  type RevocationEventsInput,
} from './config.ts';
import { RedisRevocationSource } from './redis-source.ts';
import { createSetVerifier } from './set-verifier.ts';
import type { RevocationSource, SourceListener } from './source.ts';
import { SseRevocationSource } from './sse-source.ts';
import { REVOCATION_EVENTS_METADATA } from './stream-protocol.ts';
import type {
  GapReason,
  RevocationEvent,
  RevocationMetrics,
  RevocationSubscription,
  RevocationTarget,
  SubscriptionState,
} from './types.ts';

export type SubscribeRevocationsOptions = RevocationEventsInput & {
  /** pino logger; default silent. */
  logger?: Logger;
  metrics?: RevocationMetrics;
  /** Where the section sits in the config file, for error messages; default `revocationEvents`. */
  configPath?: string;
};

/** Metadata and keys of the issuer are re-read this often (key rotation is also followed on unknown `kid`). */
const METADATA_TTL_MS = 5 * 60_000;
const KEYS_MAX_AGE_MS = 10 * 60_000;
const UNKNOWN_KID_COOLDOWN_MS = 10_000;

const OFF: RevocationSubscription = {
  state: 'off',
  ready: Promise.resolve(),
  close: async () => {},
};

class RevocationSubscriber implements SourceListener, RevocationSubscription {
  readonly #target: RevocationTarget;
  readonly #config: RevocationEventsConfig;
  readonly #logger: Logger;
  readonly #metrics: RevocationMetrics | undefined;
  readonly #ready = Promise.withResolvers<void>();
  #state: SubscriptionState = 'connecting';
  #everLive = false;
  #failedBefore = false;
  #queue: Promise<void> = Promise.resolve();
  #source: RevocationSource | undefined;
  #closeOwned: (() => Promise<void>) | undefined;

  constructor(
    target: RevocationTarget,
    config: RevocationEventsConfig,
    logger: Logger,
    metrics?: RevocationMetrics,
  ) {
    this.#target = target;
    this.#config = config;
    this.#logger = logger;
    this.#metrics = metrics;
    // Nobody may be waiting on `ready`; its rejection (a missing package) must not crash the process.
    this.#ready.promise.catch(() => {});
  }

  get state(): SubscriptionState {
    return this.#state;
  }

  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  attach(source: RevocationSource, closeOwned?: () => Promise<void>): void {
    this.#source = source;
    this.#closeOwned = closeOwned;
  }

  /** Starting failed for good (ioredis not installed): logged, and `ready` rejects with it. */
  fail(error: unknown): void {
    this.#logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'revocation events cannot start',
    );
    if (this.#state !== 'closed') this.#state = 'down';
    this.#ready.reject(error);
  }

  live(resumed: boolean): void {
    if (this.#state === 'closed') return;
    const gap = this.#gapBefore(resumed);
    this.#everLive = true;
    if (gap) this.#flush(gap);
    this.#change('live', gap ? { flushed: gap } : {});
    this.#ready.resolve();
  }

  down(error: unknown): void {
    if (this.#state === 'closed') return;
    this.#failedBefore = true;
    this.#change('down', { err: error instanceof Error ? error.message : String(error) });
  }

  event(event: RevocationEvent | undefined, problem?: string): void {
    if (this.#state === 'closed') return;
    if (event === undefined) {
      this.#metrics?.event('invalid');
      this.#logger.warn({ problem }, 'unreadable revocation event: flushing the cache');
      this.#flush('unreadable_event');
      return;
    }
    if (!this.#accepts(event.issuer)) {
      this.#metrics?.event('ignored');
      return;
    }
    this.#enqueue(async () => {
      const evicted = await applyRevocation(this.#target, event);
      this.#metrics?.event('applied');
      this.#metrics?.evicted(evicted);
      this.#logger.debug(
        { event_id: event.id, scope: event.scope, tenant: event.tenant, evicted },
        'revocation event applied',
      );
    });
  }

  reset(): void {
    if (this.#state === 'closed') return;
    this.#logger.warn('the IdP cannot replay missed revocation events: flushing the cache');
    this.#flush('reset');
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#source?.close();
    await this.#closeOwned?.();
    await this.#queue;
    this.#ready.resolve();
  }

  /** The gap going live now closes, if any (see the module comment). */
  #gapBefore(resumed: boolean): GapReason | undefined {
    if (!this.#everLive) return this.#failedBefore ? 'late_start' : undefined;
    return resumed ? undefined : 'reconnected';
  }

  #accepts(issuer: string): boolean {
    const wanted = this.#config.issuers;
    return wanted.length === 0 || wanted.some((entry) => sameIssuer(entry, issuer));
  }

  #flush(reason: GapReason): void {
    this.#metrics?.gap(reason);
    this.#enqueue(() => this.#target.flush());
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      // The target could not evict (a shared cache down): nothing to retry here; the cache's own health
      // handling applies. Logged so the operator sees revocations that did not take effect.
      this.#logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'revocation eviction failed',
      );
    });
  }

  #change(state: SubscriptionState, fields: Record<string, unknown> = {}): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    if (state === 'live') this.#logger.info(fields, 'revocation events live');
    else this.#logger.warn(fields, 'revocation events unavailable: reconnecting');
  }
}

function startRedis(
  subscriber: RevocationSubscriber,
  config: RevocationEventsConfig,
  logger: Logger,
  path: string,
): void {
  const source = new RedisRevocationSource({
    url: config.redis.url,
    channel: config.redis.channel,
    backoff: backoffOf(config),
    listener: subscriber,
    logger,
    configPath: `${path}.redis.url`,
  });
  subscriber.attach(source);
  source.start().catch((error: unknown) => subscriber.fail(error));
}

function startSse(subscriber: RevocationSubscriber, config: RevocationEventsConfig): void {
  const { sse } = config;
  const http = new HttpClient({ timeoutMs: 5000 });
  const discovery = new DiscoveryClient({ http, ttlMs: METADATA_TTL_MS });
  const keys = new KeySets({
    discovery,
    http,
    cooldownMs: UNKNOWN_KID_COOLDOWN_MS,
    cacheMaxAgeMs: KEYS_MAX_AGE_MS,
  });
  const url = async () => {
    if (sse.url) return sse.url;
    const endpoint = (await discovery.get(sse.issuer))[REVOCATION_EVENTS_METADATA];
    if (typeof endpoint !== 'string' || endpoint === '') {
      throw serviceUnavailable(
        'discovery_failed',
        `the metadata of ${sse.issuer} names no ${REVOCATION_EVENTS_METADATA}`,
      );
    }
    return endpoint;
  };
  const source = new SseRevocationSource({
    url,
    authorization: sse.token ? `Bearer ${sse.token}` : basicCredentials(sse.clientId, sse.clientSecret),
    idleTimeoutMs: sse.idleTimeout,
    backoff: backoffOf(config),
    verify: createSetVerifier({ issuer: sse.issuer, audience: sse.clientId || undefined, keys }),
    listener: subscriber,
  });
  subscriber.attach(source, () => http.close());
  source.start();
}

function backoffOf(config: RevocationEventsConfig): Backoff {
  return new Backoff({
    initialDelayMs: config.reconnect.initialDelay,
    maxDelayMs: config.reconnect.maxDelay,
  });
}

/**
 * Subscribes `target` to the revocation events configured in `options` (the `revocationEvents` section:
 * see `events/config`). Throws `configInvalid` for a bad section; every later failure (Redis or the IdP
 * unreachable, refused credentials) is logged once and retried with back-off, flushing on recovery.
 *
 * @example
 * const authenticator = createAuthenticator({ config });
 * const events = subscribeRevocations(authenticator, { source: 'redis', redis: { url: 'redis://127.0.0.1:6379' }, logger });
 * await events.ready; // optional: the subscription is live
 * // … on shutdown
 * await events.close();
 */
export function subscribeRevocations(
  target: RevocationTarget,
  options: SubscribeRevocationsOptions = {},
): RevocationSubscription {
  const { logger = silentLogger, metrics, configPath = 'revocationEvents', ...section } = options;
  const config = parseRevocationEventsConfig(section, configPath);
  if (config.source === 'none') return OFF;
  const scoped = logger.child({ component: 'revocation-events', source: config.source });
  const subscriber = new RevocationSubscriber(target, config, scoped, metrics);
  if (config.source === 'redis') startRedis(subscriber, config, scoped, configPath);
  else startSse(subscriber, config);
  return subscriber;
}

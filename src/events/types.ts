/**
 * @module events/types
 * Revocation events: what the IdP publishes when tokens stop being valid, and what caches evict on hearing
 * it. One event model travels over both channels: Redis pub/sub between replicas of one deployment (the
 * event as JSON), and the IdP's Server-Sent Events stream, where each event is a Security Event Token
 * (RFC 8417) carrying a `token-revoked` or CAEP `session-revoked` event so a third party can consume it too
 * (see `events/set`). A subscriber (`events/subscribe`) turns events into evictions on a `RevocationTarget`.
 *
 * Why events at all: a cached introspection answer or verified JWT otherwise stays "active" until its cache
 * TTL ends, however early the token was revoked (RFC 7662 §4 names that trade-off). Events cut the window
 * to the delivery delay; after any gap in delivery the subscriber flushes, so a lost event costs cache
 * hits, never a revoked token accepted.
 */
import type { EvictionMatch } from '../cache/types.ts';

/**
 * What was revoked: `token` one access token (RFC 7009 §2.1), `family` a refresh grant with every token
 * issued from it (RFC 7009 §2.1, RFC 9700 §4.14.2 reuse detection), `client` / `subject` every token of a
 * client or of a subject (an operator's action: a leaked secret, a departed user).
 */
export type RevocationScope = 'token' | 'family' | 'client' | 'subject';

export interface RevocationEvent {
  /** Unique id of the event (the SET's `jti`, the SSE `id`); replicas relaying one event keep its id. */
  readonly id: string;
  /** Issuer (`iss`) of the revoked tokens: the tenant's issuer URL under the profile they were issued at. */
  readonly issuer: string;
  readonly tenant: string;
  /** When the revocation happened, epoch seconds. */
  readonly at: number;
  readonly scope: RevocationScope;
  /**
   * SHA-256 (base64url) of each revoked opaque token string: the token part of the library's cache keys
   * (`cache/key`), so a subscriber deletes exact keys. Never the tokens themselves. An opaque token's
   * record id at the IdP is this same digest.
   */
  readonly tokenHashes: readonly string[];
  /** `jti` of each revoked JWT (the IdP keeps no JWT string, so a JWT is named by its `jti` only). */
  readonly jtis: readonly string[];
  /** The tokens' subject: what `subject` scope matches on, informative in the others. */
  readonly subject?: string;
  /** The tokens' client: what `client` scope matches on, informative in the others. */
  readonly clientId?: string;
  /** `family` scope: the id of the revoked grant (the SET names it as the CAEP session). */
  readonly familyId?: string;
}

/**
 * Where the IdP sends events (Redis, the SSE hub, or both). `publish` resolves once the event is handed
 * over; it may reject, and the IdP's fan-out (`idp/events/publishers`) catches, logs and counts that, so a
 * revocation never fails because of a channel.
 */
export interface RevocationPublisher {
  publish(event: RevocationEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a subscriber evicts from: the library's `Authenticator` satisfies it. Each method returns once the
 * eviction is done (a shared cache may take a round trip).
 */
export interface RevocationTarget {
  /** Deletes the cached answers of these token digests (every cache namespace); resolves how many. */
  evictTokenHashes(hashes: readonly string[]): Promise<number>;
  /** Deletes the cached answers whose claims match (`jti`, `sub`, `client_id`, `iss`); resolves how many. */
  evictMatching(match: EvictionMatch): Promise<number>;
  /** Drops every cached answer: after a gap in delivery, entries revoked meanwhile cannot be told apart. */
  flush(): Promise<void>;
}

/**
 * `connecting` before the first subscription, `live` while events flow, `down` while reconnecting after a
 * loss (the next `live` starts with a flush), `off` for `source: none`, `closed` after `close()`.
 */
export type SubscriptionState = 'connecting' | 'live' | 'down' | 'off' | 'closed';

export interface RevocationSubscription {
  readonly state: SubscriptionState;
  /** Resolves once the first subscription is live (at once for `source: none`, or when closed first). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Why a subscriber flushed its target. */
export type GapReason =
  /** The first subscription came only after failed attempts: the target may have cached meanwhile. */
  | 'late_start'
  /** A lost subscription was re-established (Redis), or a stream reconnected without a position (SSE). */
  | 'reconnected'
  /** The IdP could not replay from our last event id (SSE `event: reset`). */
  | 'reset'
  /** An event arrived that could not be read or verified: it may have revoked something. */
  | 'unreadable_event';

/** Optional counters of a subscription (wire them to prom-client or anything else). */
export interface RevocationMetrics {
  /** One event received: `applied`, `ignored` (another issuer), or `invalid` (unreadable, unverifiable). */
  event(outcome: 'applied' | 'ignored' | 'invalid'): void;
  /** Cache entries evicted by one event. */
  evicted(count: number): void;
  /** The target was flushed after a gap. */
  gap(reason: GapReason): void;
}

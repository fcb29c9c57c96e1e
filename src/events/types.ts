/**
 * @module events/types
 * Revocation events: what the IdP publishes when tokens stop being valid, and what caches evict on hearing
 * it. One event model travels over both channels: Redis pub/sub between replicas of one deployment, and the
 * IdP's Server-Sent Events stream, where each event is a Security Event Token (RFC 8417) carrying a
 * CAEP-style `token-revoked` or `session-revoked` event so a third party can consume it too.
 */

/** What was revoked: one token, a refresh grant with its children, or everything of a client or subject. */
export type RevocationScope = 'token' | 'family' | 'client' | 'subject';

export interface RevocationEvent {
  /** Unique id of the event (the SET's `jti`, the SSE `id`). */
  readonly id: string;
  /** Issuer of the revoked tokens (the tenant's issuer URL). */
  readonly issuer: string;
  readonly tenant: string;
  /** When the revocation happened, epoch seconds. */
  readonly at: number;
  readonly scope: RevocationScope;
  /**
   * SHA-256 (base64url) of each revoked token string: the token part of the library's cache keys, so a
   * subscriber deletes exact keys. Never the tokens themselves.
   */
  readonly tokenHashes: readonly string[];
  /** `jti` of each revoked token that has one. */
  readonly jtis: readonly string[];
  /** For `subject` scope (and informative otherwise). */
  readonly subject?: string;
  /** For `client` scope (and informative otherwise). */
  readonly clientId?: string;
}

/** Where the IdP sends events (Redis, the SSE hub, or both). */
export interface RevocationPublisher {
  publish(event: RevocationEvent): Promise<void>;
  close(): Promise<void>;
}

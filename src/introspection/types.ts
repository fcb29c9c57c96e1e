/**
 * @module introspection/types
 * The transport contract of RFC 7662 introspection. HTTP (undici) and gRPC transports both implement it;
 * nothing above it knows which ran.
 */
import type { Claims } from '../claims/types.ts';
import type { ForwardedRequest } from './request-forwarding.ts';

/** An RFC 7662 §2.2 answer: `active` plus whatever members the IdP returned. */
export interface IntrospectionAnswer extends Claims {
  active: boolean;
}

export interface IntrospectOptions {
  /** Propagated as `X-Request-ID` (HTTP) or `x-request-id` metadata (gRPC). */
  requestId?: string;
  signal?: AbortSignal;
  /**
   * Values of the client's request to send along (`forwardHeaders`, `forwardParams`, `requestContext`),
   * already chosen by the pipeline, which keys the cache with their digest. HTTP only; other transports
   * ignore them.
   */
  forwarded?: ForwardedRequest;
}

export interface IntrospectionTransport {
  /**
   * Identity of the endpoint and of the credentials we present to it, e.g.
   * `https://idp/introspect|client_secret_basic:my-client`. Part of every cache key, so answers of two
   * endpoints (or two client identities) can never be confused (Oathkeeper CVE-2026-33496).
   */
  readonly id: string;
  /**
   * Introspects one token. Resolves with the IdP's answer (active or not). Rejects only with a
   * `TokenguardError`: `serviceUnavailable` (IdP down, slow, 429/5xx, bad answer, or our credentials
   * rejected: a misconfiguration, never the caller's fault) with `retryAfter` when known.
   */
  introspect(token: string, options?: IntrospectOptions): Promise<IntrospectionAnswer>;
  close(): Promise<void>;
}

/**
 * @module events/source
 * The contract between a transport of revocation events (Redis pub/sub, the IdP's SSE stream) and the
 * subscriber that acts on them. A source only reports what happens on the wire: subscribed, lost, an
 * event, a reset. Whether that calls for a flush is the subscriber's decision (`events/subscribe`), the
 * same for every transport.
 */
import type { RevocationEvent } from './types.ts';

export interface SourceListener {
  /**
   * The subscription is live (first time or again). `resumed`: the source asked to continue where it left
   * off (SSE `Last-Event-ID`), so the server replays what was missed or sends a reset; otherwise events
   * published while it was away are lost.
   */
  live(resumed: boolean): void;
  /** The subscription failed or was lost; the source retries after its back-off. */
  down(error: unknown): void;
  /** An event arrived; undefined when it could not be read or verified (`problem` says why, for the log). */
  event(event: RevocationEvent | undefined, problem?: string): void;
  /** The server cannot replay from our position (SSE `event: reset`): events were missed. */
  reset(): void;
}

/** A running transport. */
export interface RevocationSource {
  close(): Promise<void>;
}

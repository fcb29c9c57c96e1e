/**
 * @module idp/events/hub
 * The in-process hub behind the SSE stream: it receives every revocation event of this IdP (published
 * locally, or relayed from other replicas through Redis), keeps the last `capacity` of them in arrival
 * order for `Last-Event-ID` replay, and hands each new one to the open streams of its tenant.
 *
 * Events are deduplicated by id: a replica hears its own events twice (published locally, and echoed by
 * Redis). Positions are event ids, which are the same on every replica, so a consumer whose stream moves
 * to another replica resumes there as well, as long as that replica still buffers its position.
 *
 * A position the hub cannot continue from (evicted, unknown, or from before a gap) makes the stream send
 * `reset`. A gap is the hub's own feed breaking: the Redis relay lost its subscription, so events of other
 * replicas may be missing; the buffer is then cleared and every open stream told to reset at once.
 */
import type { RevocationEvent, RevocationPublisher } from '../../events/types.ts';

/** An open stream of one tenant. */
export interface HubListener {
  event(event: RevocationEvent): void;
  /** Events may be missing from the feed (see the module comment); the consumer must flush. */
  reset(): void;
}

interface Buffered {
  seq: number;
  event: RevocationEvent;
}

export class RevocationHub implements RevocationPublisher {
  readonly #capacity: number;
  /** By event id, in arrival order (a Map iterates in insertion order; the first entry is the oldest). */
  readonly #buffer = new Map<string, Buffered>();
  /** Newest buffered event id per tenant. */
  readonly #latest = new Map<string, string>();
  readonly #listeners = new Map<string, Set<HubListener>>();
  #seq = 0;

  constructor(options: { capacity: number }) {
    this.#capacity = Math.max(1, options.capacity);
  }

  /** Open streams, all tenants. */
  get streams(): number {
    let count = 0;
    for (const listeners of this.#listeners.values()) count += listeners.size;
    return count;
  }

  async publish(event: RevocationEvent): Promise<void> {
    this.deliver(event);
  }

  /** Buffers and forwards `event`; false when it was already here (the Redis echo of a local event). */
  deliver(event: RevocationEvent): boolean {
    if (this.#buffer.has(event.id)) return false;
    this.#buffer.set(event.id, { seq: ++this.#seq, event });
    this.#latest.set(event.tenant, event.id);
    if (this.#buffer.size > this.#capacity) this.#evictOldest();
    for (const listener of this.#listeners.get(event.tenant) ?? []) listener.event(event);
    return true;
  }

  /** Adds an open stream of `tenant`; returns its removal. */
  listen(tenant: string, listener: HubListener): () => void {
    let listeners = this.#listeners.get(tenant);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(tenant, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#listeners.get(tenant) === listeners) this.#listeners.delete(tenant);
    };
  }

  /** The events of `tenant` after position `lastId`, oldest first; undefined when the hub cannot tell. */
  since(tenant: string, lastId: string): RevocationEvent[] | undefined {
    const from = this.#buffer.get(lastId);
    if (from === undefined || from.event.tenant !== tenant) return undefined;
    const events: RevocationEvent[] = [];
    for (const { seq, event } of this.#buffer.values()) {
      if (seq > from.seq && event.tenant === tenant) events.push(event);
    }
    return events;
  }

  /** The newest position of `tenant` (an event id), or '' when none is buffered. */
  position(tenant: string): string {
    return this.#latest.get(tenant) ?? '';
  }

  /** The feed broke (events may be missing): positions are forgotten and every open stream resets. */
  gap(): void {
    this.#buffer.clear();
    this.#latest.clear();
    for (const listeners of this.#listeners.values()) {
      for (const listener of listeners) listener.reset();
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #evictOldest(): void {
    const [id, { event }] = this.#buffer.entries().next().value as [string, Buffered];
    this.#buffer.delete(id);
    // The tenant's newest event was its only one left: the tenant has no buffered position any more.
    if (this.#latest.get(event.tenant) === id) this.#latest.delete(event.tenant);
  }
}

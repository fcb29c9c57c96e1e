/**
 * @module idp/web/session
 * Server-side sessions of the IdP's browser pages (sign-in, consent, the management console). The browser
 * holds only an opaque id (256 random bits, base64url) in an HttpOnly cookie; everything else stays here.
 *
 * - Session fixation (OWASP Session Management, RFC 6749 §10.12's login CSRF relative): `create` always
 *   makes a fresh id, and a sign-in must use `rotate`, which destroys the id the browser came with, so an
 *   id planted before sign-in never becomes an authenticated one.
 * - Expiry: a session ends after `idleTimeoutMs` without a request and after `absoluteTimeoutMs` in any
 *   case; `get` of an expired id destroys it and answers undefined.
 * - Memory is bounded: at `maxSessions` the least recently seen session is dropped (the Map keeps
 *   recency order: every `get` moves its session to the end).
 *
 * The store is in-memory, one per process. Several IdP replicas behind a load balancer need sticky sessions
 * (affinity on the session cookie), or users sign in again when they land on another replica; nothing
 * breaks, since codes and tokens are verified from the shared store and keys, not from the session.
 */
import { randomBytes } from 'node:crypto';

export interface WebSession {
  /** 256 random bits, base64url; the cookie value. */
  id: string;
  tenant: string;
  username: string;
  kind: 'user' | 'admin';
  /** Epoch milliseconds: when the user signed in (OIDC `auth_time` is this, in seconds). */
  createdAt: number;
  lastSeenAt: number;
  /** Per-session state of the pages (remembered consents, …); mutate it in place. */
  data: Record<string, unknown>;
}

export interface SessionStoreOptions {
  /** A session ends after this long without a request. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however active. */
  absoluteTimeoutMs: number;
  /** Clock, epoch milliseconds. */
  now?: () => number;
  /** Most sessions held; default 100,000. */
  maxSessions?: number;
}

export type SessionInit = Pick<WebSession, 'tenant' | 'username' | 'kind'>;

/** A new session id: 256 bits from the CSPRNG (OWASP: at least 64 bits of entropy). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export class SessionStore {
  readonly #idle: number;
  readonly #absolute: number;
  readonly #now: () => number;
  readonly #max: number;
  readonly #sessions = new Map<string, WebSession>();

  constructor(options: SessionStoreOptions) {
    this.#idle = options.idleTimeoutMs;
    this.#absolute = options.absoluteTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxSessions ?? 100_000;
  }

  /** How many sessions are held (expired ones not yet swept included). */
  get size(): number {
    return this.#sessions.size;
  }

  /** A new session with a fresh id. */
  create(init: SessionInit): WebSession {
    const now = this.#now();
    if (this.#sessions.size >= this.#max) this.#evict(now);
    const session: WebSession = {
      id: newSessionId(),
      tenant: init.tenant,
      username: init.username,
      kind: init.kind,
      createdAt: now,
      lastSeenAt: now,
      data: {},
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Sign-in: destroys the session the browser came with (if any) and creates a new one (fixation defence). */
  rotate(previousId: string | undefined, init: SessionInit): WebSession {
    if (previousId !== undefined) this.destroy(previousId);
    return this.create(init);
  }

  /** The live session `id` names, touched (idle timer restarted); undefined when unknown or expired. */
  get(id: string | undefined): WebSession | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (this.#expired(session, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    // Re-insert: Map order is recency order, so eviction drops the least recently seen first.
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  destroy(id: string): void {
    this.#sessions.delete(id);
  }

  #expired(session: WebSession, now: number): boolean {
    return now - session.lastSeenAt >= this.#idle || now - session.createdAt >= this.#absolute;
  }

  /** Sweeps expired sessions; when none was, drops the least recently seen one. */
  #evict(now: number): void {
    for (const [id, session] of this.#sessions) {
      if (this.#expired(session, now)) this.#sessions.delete(id);
    }
    if (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}

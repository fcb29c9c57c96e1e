/**
 * @module idp/clients/verified-basic
 * `client_secret_basic` headers verified recently, so a client that sends the same `Authorization` header
 * on every request (a resource server introspecting, issue 8) skips decoding it (base64, RFC 6749 Appendix B)
 * and the salted digest of its secret. An entry is keyed by the SHA-256 of the whole header and the tenant:
 * a header with any other secret has another digest and never hits, and no secret is kept in memory. It
 * records which stored secret hash the header was verified against; the caller re-reads the client and
 * uses the entry only while that hash is unchanged (a new secret ends it at once), the client enabled and
 * the method allowed. Entries live `ttlMs` (default 60 s), at most `maxEntries`.
 */
import { hash } from 'node:crypto';

export interface VerifiedBasic {
  clientId: string;
  /** The client's stored secret hash the header's secret matched. */
  secretHash: string;
}

interface Entry extends VerifiedBasic {
  deadline: number;
}

export interface VerifiedBasicOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

export class VerifiedBasicHeaders {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: VerifiedBasicOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** What `header` was verified for in `tenant`, if it was, recently. */
  recall(tenant: string, header: string): VerifiedBasic | undefined {
    if (this.#entries.size === 0) return undefined;
    const key = keyOf(tenant, header);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.deadline > this.#now()) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  /** `header` has just been verified for `clientId` of `tenant`, against `secretHash`. */
  remember(tenant: string, header: string, clientId: string, secretHash: string): void {
    const key = keyOf(tenant, header);
    this.#entries.delete(key);
    this.#entries.set(key, { clientId, secretHash, deadline: this.#now() + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The tenant (length first: unambiguous) and the digest of the header, never the header itself. */
function keyOf(tenant: string, header: string): string {
  return `${tenant.length}:${tenant}${hash('sha256', header, 'base64url')}`;
}

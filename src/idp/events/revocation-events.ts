/**
 * @module idp/events/revocation-events
 * `RevocationEvents`: the IdP's revocations, announced. Every revocation path reports here after its store
 * write succeeded, and this service publishes one event naming what was revoked, so caches evict it at once
 * (`events/types`). Publishing never fails a revocation: the store write is what revokes, the event only
 * shortens how long caches keep serving the token; a publisher failure is logged and counted.
 *
 * Which tokens an event names. A cache entry can only exist for a token that was live (neither revoked
 * nor expired) when it was verified, so events list live tokens: opaque tokens by their digest (their
 * record id, RFC 7009 revocation finds them by it too), JWTs by `jti` (their record id).
 *
 * - `token`: one access token (RFC 7009 §2.1 lets the server keep the refresh token).
 * - `family`: a refresh token's whole grant (RFC 7009 §2.1 "SHOULD also invalidate all access tokens based
 *   on the same authorization grant"; RFC 9700 §4.14.2 reuse detection). The family is listed before the
 *   store revokes it, since afterwards none of its tokens is live; the store can list by client and
 *   subject, and every token of a grant has the grant's client and subject. A refresh racing the
 *   revocation may store a token between that listing and the store write: the write revokes it with the
 *   grant, so the tokens of the grant revoked at this very second are read again afterwards and added.
 * - `client` / `subject` (`revokeWhere`): an operator revoking everything of a client or subject. The event
 *   always names the client or subject, which subscribers match on, plus the first `maxTokensPerEvent`
 *   tokens for exact eviction. A tenant has one issuer per profile, and caches match subjects per issuer
 *   (`EvictionMatch.issuer`), so one event goes out per issuer: those of the listed tokens, plus every
 *   issuer the tenant has when the server knows them (`issuersOf`).
 */
import { randomUUID } from 'node:crypto';
import type { RevocationEvent, RevocationPublisher, RevocationScope } from '../../events/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { readClaims } from '../tokens/stored-claims.ts';

/** The hooks the token service calls around its own revocations (`tokens/revocation`, `tokens/refresh`). */
export interface RevocationNotifier {
  /** The live tokens of `token`'s grant, read before the grant is revoked (afterwards none is live). */
  familyOf(token: StoredToken, now: number): Promise<StoredToken[]>;
  /** `token` (an access token) was revoked by the store. */
  tokenRevoked(token: StoredToken, now: number): Promise<void>;
  /** The grant of `token` was revoked by the store; `family` is what `familyOf` listed before. */
  familyRevoked(token: StoredToken, family: readonly StoredToken[], now: number): Promise<void>;
}

/** A grant to revoke, as any of its tokens describes it. */
export interface Grant {
  tenant: string;
  familyId: string;
  clientId: string;
  subject: string;
  issuer: string;
}

export interface RevocationOutcome {
  /** Tokens the store marked revoked. */
  revoked: number;
  /** The events published (none when nothing live was revoked). */
  events: RevocationEvent[];
}

export interface RevocationEventsOptions {
  store: IdpStore;
  publisher: RevocationPublisher;
  logger: Logger;
  /** Tokens one event lists at most (`idp.events.maxTokensPerEvent`). */
  maxTokensPerEvent?: number;
  /** Every issuer of a tenant (one per profile); unknown (CLI without `idp.issuer`) = none. */
  issuersOf?: (tenant: string) => readonly string[];
  /** Current time, epoch seconds. */
  now?: () => number;
  /** Publishing outcomes per channel (the fan-out's), for `counts()`. */
  channelCounts?: () => Record<string, { published: number; failed: number }>;
}

/** Events announced since start, and what each channel made of them. */
export interface RevocationCounts {
  events: number;
  channels: Record<string, { published: number; failed: number }>;
}

/** How many tokens of a client and subject are read to find a grant's: far more than any grant has. */
const FAMILY_SCAN_LIMIT = 10_000;
const DEFAULT_MAX_TOKENS = 1000;

const wallClock = () => Math.floor(Date.now() / 1000);

/** `tokenHashes` and `jtis` of the event naming `tokens`. */
function identifiers(tokens: readonly StoredToken[]): { tokenHashes: string[]; jtis: string[] } {
  const tokenHashes: string[] = [];
  const jtis: string[] = [];
  for (const token of tokens) {
    if (token.format === 'opaque') tokenHashes.push(token.id);
    else jtis.push(readClaims(token).jti || token.id);
  }
  return { tokenHashes, jtis };
}

export class RevocationEvents implements RevocationNotifier {
  readonly #store: IdpStore;
  readonly #publisher: RevocationPublisher;
  readonly #logger: Logger;
  readonly #maxTokens: number;
  readonly #issuersOf: (tenant: string) => readonly string[];
  readonly #now: () => number;
  readonly #channelCounts: () => Record<string, { published: number; failed: number }>;
  #published = 0;

  constructor(options: RevocationEventsOptions) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#logger = options.logger;
    this.#maxTokens = options.maxTokensPerEvent ?? DEFAULT_MAX_TOKENS;
    this.#issuersOf = options.issuersOf ?? (() => []);
    this.#now = options.now ?? wallClock;
    this.#channelCounts = options.channelCounts ?? (() => ({}));
  }

  /** Events handed to the publishers so far. */
  get published(): number {
    return this.#published;
  }

  /** Events announced, and per channel (`sse`, `redis`) how many were published or failed. */
  counts(): RevocationCounts {
    return { events: this.#published, channels: this.#channelCounts() };
  }

  familyOf(token: StoredToken, now: number): Promise<StoredToken[]> {
    return this.#listFamily(token, now);
  }

  async tokenRevoked(token: StoredToken, now: number): Promise<void> {
    // Revoked before: its event went out then.
    if (token.revokedAt !== undefined) return;
    await this.#publish(this.#event('token', token, [token], now));
  }

  async familyRevoked(token: StoredToken, family: readonly StoredToken[], now: number): Promise<void> {
    const revoked = await this.#withRacing(token, family, now);
    if (revoked.length === 0) return;
    await this.#publish({ ...this.#event('family', token, revoked, now), familyId: token.familyId });
  }

  /** Revokes a grant (every token of the family) and announces it: for callers outside the token service. */
  async revokeFamily(grant: Grant, now = this.#now()): Promise<RevocationOutcome> {
    const listed = await this.#listFamily(grant, now);
    const revoked = await this.#store.tokens.revokeFamily(grant.tenant, grant.familyId, now);
    const family = await this.#withRacing(grant, listed, now);
    if (family.length === 0) return { revoked, events: [] };
    const event: RevocationEvent = {
      ...this.#event('family', grant, family, now),
      familyId: grant.familyId,
    };
    await this.#publish(event);
    return { revoked, events: [event] };
  }

  /**
   * Revokes every token of a client and/or subject of `tenant` (the store's `revokeWhere`) and announces
   * it: scope `subject` when a subject is given (the wider match), else `client`.
   */
  async revokeWhere(
    tenant: string,
    query: { clientId?: string; subject?: string },
    now = this.#now(),
  ): Promise<RevocationOutcome> {
    if (query.clientId === undefined && query.subject === undefined) return { revoked: 0, events: [] };
    const live = await this.#listLive(tenant, query, now);
    const revoked = await this.#store.tokens.revokeWhere(tenant, query, now);
    const scope: RevocationScope = query.subject !== undefined ? 'subject' : 'client';
    const byIssuer = new Map<string, StoredToken[]>(this.#issuersOf(tenant).map((issuer) => [issuer, []]));
    for (const token of live) {
      const tokens = byIssuer.get(token.issuer) ?? [];
      tokens.push(token);
      byIssuer.set(token.issuer, tokens);
    }
    const events: RevocationEvent[] = [];
    for (const [issuer, tokens] of byIssuer) {
      const event: RevocationEvent = {
        id: randomUUID(),
        issuer,
        tenant,
        at: now,
        scope,
        ...identifiers(tokens),
        ...(query.subject !== undefined ? { subject: query.subject } : {}),
        ...(query.clientId !== undefined ? { clientId: query.clientId } : {}),
      };
      await this.#publish(event);
      events.push(event);
    }
    return { revoked, events };
  }

  /** Revokes every token of a client (a leaked secret): `idp.revocations.revokeClient(tenant, id)`. */
  revokeClient(tenant: string, clientId: string): Promise<RevocationOutcome> {
    return this.revokeWhere(tenant, { clientId });
  }

  /** Revokes every token of a subject (a departed user): `idp.revocations.revokeSubject(tenant, sub)`. */
  revokeSubject(tenant: string, subject: string): Promise<RevocationOutcome> {
    return this.revokeWhere(tenant, { subject });
  }

  async #listFamily(grant: Grant, now: number): Promise<StoredToken[]> {
    try {
      const listed = await this.#store.tokens.list(grant.tenant, {
        clientId: grant.clientId,
        subject: grant.subject,
        activeAt: now,
        limit: FAMILY_SCAN_LIMIT,
      });
      return listed.filter((member) => member.familyId === grant.familyId);
    } catch (error) {
      // The revocation itself must still happen; caches keep the grant's tokens until their TTL (logged).
      this.#logger.warn(
        { err: (error as Error).message, tenant: grant.tenant },
        'cannot list the grant to revoke',
      );
      return [];
    }
  }

  /** `listed`, plus the grant's tokens the store revoked at `now` that the listing could not see yet. */
  async #withRacing(grant: Grant, listed: readonly StoredToken[], now: number): Promise<StoredToken[]> {
    const known = new Set(listed.map((token) => token.id));
    try {
      const again = await this.#store.tokens.list(grant.tenant, {
        clientId: grant.clientId,
        subject: grant.subject,
        limit: FAMILY_SCAN_LIMIT,
      });
      const racing = again.filter(
        (token) =>
          token.familyId === grant.familyId &&
          token.revokedAt === now &&
          token.expiresAt > now &&
          !known.has(token.id),
      );
      return [...listed, ...racing];
    } catch {
      return [...listed];
    }
  }

  async #listLive(
    tenant: string,
    query: { clientId?: string; subject?: string },
    now: number,
  ): Promise<StoredToken[]> {
    try {
      return await this.#store.tokens.list(tenant, { ...query, activeAt: now, limit: this.#maxTokens });
    } catch (error) {
      // Subscribers still match on the client or subject: the event goes out without a token list.
      this.#logger.warn({ err: (error as Error).message, tenant }, 'cannot list the tokens to revoke');
      return [];
    }
  }

  #event(
    scope: RevocationScope,
    source: Pick<StoredToken, 'tenant' | 'issuer' | 'subject' | 'clientId'>,
    tokens: readonly StoredToken[],
    now: number,
  ): RevocationEvent {
    return {
      id: randomUUID(),
      issuer: source.issuer,
      tenant: source.tenant,
      at: now,
      scope,
      ...identifiers(tokens.slice(0, this.#maxTokens)),
      subject: source.subject,
      clientId: source.clientId,
    };
  }

  async #publish(event: RevocationEvent): Promise<void> {
    this.#published++;
    try {
      await this.#publisher.publish(event);
    } catch (error) {
      // The fan-out publisher already logs and counts per channel; this guards any other publisher.
      this.#logger.warn(
        { err: (error as Error).message, event_id: event.id },
        'revocation event not published',
      );
    }
  }
}

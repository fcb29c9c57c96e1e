/**
 * @module events/apply
 * What one revocation event evicts. Exact keys first: every cached answer of a revoked opaque token is found
 * by its digest. Then answers selected by their claims: revoked JWTs by `jti` (the IdP keeps no JWT string
 * to hash), and, for `client` / `subject` scope, every answer of that client or subject, restricted to the
 * event's issuer (two issuers may well have a subject of the same name). The subject or client of a
 * `token` or `family` event is only informative: matching on it would evict the subject's other grants.
 */
import type { EvictionMatch } from '../cache/types.ts';
import type { RevocationEvent, RevocationTarget } from './types.ts';

/** The claim-based part of the eviction, or undefined when the event has none. */
export function evictionMatch(event: RevocationEvent): EvictionMatch | undefined {
  const subject = event.scope === 'subject' ? event.subject : undefined;
  const clientId = event.scope === 'client' ? event.clientId : undefined;
  if (event.jtis.length === 0 && subject === undefined && clientId === undefined) return undefined;
  return {
    ...(event.jtis.length > 0 ? { jtis: event.jtis } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    issuer: event.issuer,
  };
}

/** Evicts what `event` revoked from `target`; resolves how many entries went. */
export async function applyRevocation(target: RevocationTarget, event: RevocationEvent): Promise<number> {
  let evicted = 0;
  if (event.tokenHashes.length > 0) evicted += await target.evictTokenHashes(event.tokenHashes);
  const match = evictionMatch(event);
  if (match) evicted += await target.evictMatching(match);
  return evicted;
}

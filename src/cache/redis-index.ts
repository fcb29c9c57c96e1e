/**
 * @module cache/redis-index
 * The index sets of the shared Redis cache. A revocation event may name a `jti`, a subject or a client
 * instead of a token; Redis cannot search values, so `set` also lists each entry's key in one set per
 * `jti`, `sub` and client, and `evictMatching` reads those sets instead of scanning the cache.
 *
 * Set keys hold a SHA-256 of the claim value, never the value itself: subject names and client ids stay out
 * of Redis key names as tokens do. The issuer is not part of the set key: a member is
 * `<issuer tag>.<entry key>`, the tag being a digest of the answer's `iss` (or `-` when it names none), so
 * one set serves a match that names an issuer (keep the members of that issuer and those naming none, as
 * `EvictionMatch.issuer` says) and a match that names none (keep every member), with no second set.
 *
 * Keys that extend a token's key (`<prefix>.<token hash>.<digest of forwarded request values>`) are also
 * listed under their stem (`<prefix>.<token hash>.`), so `deleteByPrefix` with that stem, as the pipeline
 * calls it for a revoked token hash, reads one set instead of scanning the keyspace.
 */
import { hash } from 'node:crypto';
import type { Claims } from '../claims/types.ts';
import type { EvictionMatch } from './types.ts';

/** The tag of answers that name no issuer: they match an issuer-restricted eviction too. */
const NO_ISSUER = '-';

/** SHA-256, base64url: what index set keys and issuer tags are made of. */
function digest(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** The 22-character tag of an issuer in set members (132 bits of SHA-256: collisions are not a concern). */
function issuerTag(issuer: string | undefined): string {
  return issuer === undefined ? NO_ISSUER : digest(issuer).slice(0, 22);
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Set key (below the cache's prefix) of the entries whose `jti` is `jti`. */
export const jtiIndexKey = (jti: string) => `ix:jti:${digest(jti)}`;
/** Set key of the entries whose `sub` is `subject`, whatever their issuer. */
export const subjectIndexKey = (subject: string) => `ix:sub:${digest(subject)}`;
/** Set key of the entries of client `clientId` (`client_id`, or `azp` as `buildPrincipal` reads it). */
export const clientIndexKey = (clientId: string) => `ix:client:${digest(clientId)}`;

/**
 * The stem of a key with more than two dot-separated parts (`a.b.c` → `a.b.`), or undefined. Stems are
 * made of hashes already, so the set key holds the stem as it is.
 */
export function keyStem(key: string): string | undefined {
  const second = key.indexOf('.', key.indexOf('.') + 1);
  return second > 0 && second < key.length - 1 ? key.slice(0, second + 1) : undefined;
}

/** Set key of the keys under a stem; undefined when `prefix` is not a stem (then only a scan finds them). */
export function stemIndexKey(prefix: string): string | undefined {
  return keyStem(`${prefix}-`) === prefix ? `ix:stem:${prefix}` : undefined;
}

/** How `set` lists one entry: the sets to add it to and the member that names it there. */
export interface IndexEntry {
  readonly setKeys: readonly string[];
  readonly member: string;
}

/** The sets an answer with these claims belongs to (none for a negative answer, which has no claims). */
export function indexEntry(key: string, claims: Claims): IndexEntry {
  const setKeys: string[] = [];
  const jti = stringClaim(claims.jti);
  if (jti) setKeys.push(jtiIndexKey(jti));
  const subject = stringClaim(claims.sub);
  if (subject) setKeys.push(subjectIndexKey(subject));
  // A client revocation must reach tokens that name the client either way; listing both is harmless.
  const clients = new Set([stringClaim(claims.client_id), stringClaim(claims.azp)]);
  for (const client of clients) if (client) setKeys.push(clientIndexKey(client));
  const stem = keyStem(key);
  if (stem) setKeys.push(stemIndexKey(stem)!);
  return { setKeys, member: `${issuerTag(stringClaim(claims.iss))}.${key}` };
}

/** One set to read for an eviction, and whether its members must belong to `match.issuer`. */
export interface IndexTarget {
  readonly setKey: string;
  readonly issuerRestricted: boolean;
}

/** The sets an eviction reads. `jtis` are global (a jti is unique per issuer, and evicting more is safe). */
export function indexTargets(match: EvictionMatch): IndexTarget[] {
  const targets: IndexTarget[] = [];
  const restricted = match.issuer !== undefined;
  for (const jti of new Set(match.jtis ?? [])) {
    if (jti) targets.push({ setKey: jtiIndexKey(jti), issuerRestricted: false });
  }
  if (match.subject) targets.push({ setKey: subjectIndexKey(match.subject), issuerRestricted: restricted });
  if (match.clientId) targets.push({ setKey: clientIndexKey(match.clientId), issuerRestricted: restricted });
  return targets;
}

/**
 * The members of a set that an eviction takes: all of them, or, when restricted, those of `issuer` and those
 * of answers that name no issuer.
 */
export function selectMembers(
  members: readonly string[],
  target: IndexTarget,
  issuer: string | undefined,
): string[] {
  if (!target.issuerRestricted) return [...members];
  const tag = issuerTag(issuer);
  return members.filter((member) => {
    const memberTag = member.slice(0, member.indexOf('.'));
    return memberTag === tag || memberTag === NO_ISSUER;
  });
}

/** The entry key a member names. */
export function entryKeyOf(member: string): string {
  return member.slice(member.indexOf('.') + 1);
}

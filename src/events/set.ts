/**
 * @module events/set
 * A revocation event as a Security Event Token (RFC 8417), the form it takes on the IdP's SSE stream, and
 * back. The claims follow the OpenID Shared Signals Framework 1.0 (SSF) profile of SETs, so that any SSF
 * receiver can read them, plus one extension claim that carries our event exactly.
 *
 * - Header `typ: secevent+jwt` (RFC 8417 §2.3, SSF §4.1.1: explicit typing, so a SET is never taken for an
 *   access or ID token). No `sub` and no `exp` claim (SSF §4.1.2, §4.1.7: same reason).
 * - `iss` the stream's issuer, `iat`, `jti` = the event id, `aud` = the receiver when known (its client id),
 *   `txn` = the event id too (SSF §4.1.9: one value per underlying event, the same on every replica), and
 *   `toe` (RFC 8417 §2.2, time of event) = when the revocation happened.
 * - `events` holds exactly one event (SSF §4.2.1):
 *   - scope `token` → `https://schemas.openid.net/secevent/oauth/event-type/token-revoked`, from the OpenID
 *     Shared Signals WG's "OAuth Event Types 1.0" draft: CAEP 1.0 has no token-level revocation event, and
 *     inventing one under CAEP's own `…/caep/event-type/` namespace would squat on it;
 *   - scopes `family`, `client`, `subject` → CAEP 1.0 `session-revoked` (§3.1): a refresh grant is the OAuth
 *     form of a session, and a client's or a subject's revocation ends every session matching it.
 *   The event object carries CAEP's optional `event_timestamp` (§2).
 * - `sub_id` (SSF §3, RFC 9493), the primary subject, as precise as the scope allows:
 *   - one JWT: `{format:"jwt_id", iss, jti}` (SSF §3.5.1, made for naming one JWT);
 *   - one opaque token: `{format:"opaque", id:<SHA-256 of the token, base64url>}` (RFC 9493 §3.2.4): the
 *     digest names the token without disclosing it, and is what caches key on;
 *   - a grant, a client, a subject: a complex subject (SSF §3.3) whose members describe one principal:
 *     `session` (the grant id, opaque), `user` (`iss_sub`, RFC 9493 §3.2.3), `application` (the client id,
 *     opaque: RFC 9493 has no client format, and SSF §3.4 lets parties agree on identifiers), and `tenant`
 *     (opaque), as CAEP's session-revoked examples do. Per CAEP §3.1 a complex subject revokes every
 *     session matching all its members: `{application, tenant}` is every session of the client.
 * - `tokenguard_revocation` (a private claim, RFC 7519 §4.3; SSF §4.2.3 lets SETs carry additional fields)
 *   holds the event itself: `tenant`, `issuer` of the revoked tokens (the stream's `iss` may be another
 *   profile's issuer of the same tenant), `scope`, `token_hashes`, `jtis`, `subject`, `client_id`,
 *   `family_id`. A grant or a client may have many tokens, which `sub_id` cannot list; our subscriber needs
 *   nothing but this claim and the signature.
 */
import type { JWTPayload } from 'jose';
import { readRevocationEvent } from './event-json.ts';
import type { RevocationEvent } from './types.ts';

/** The JOSE `typ` of a SET (RFC 8417 §2.3). */
export const SET_TYPE = 'secevent+jwt';
/** OpenID "OAuth Event Types 1.0": one token was revoked. */
export const TOKEN_REVOKED = 'https://schemas.openid.net/secevent/oauth/event-type/token-revoked';
/** OpenID CAEP 1.0 §3.1: a session (here: a grant, or every grant of a client or subject) was revoked. */
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** The private claim carrying the whole event. */
export const REVOCATION_CLAIM = 'tokenguard_revocation';

/** An RFC 9493 / SSF subject identifier. */
export type SubjectIdentifier = { format: string } & Record<string, unknown>;

export interface RevocationSetOptions {
  /** The stream's issuer (`iss`): the issuer whose keys sign the SET. */
  issuer: string;
  /** The receiver (`aud`), when known. */
  audience?: string;
  /** `iat`, epoch seconds. */
  issuedAt: number;
}

const opaque = (id: string): SubjectIdentifier => ({ format: 'opaque', id });

/** The primary subject of the event's SET (see the module comment). */
export function subjectIdentifier(event: RevocationEvent): SubjectIdentifier {
  if (event.scope === 'token') {
    const [jti, ...moreJtis] = event.jtis;
    const [hash, ...moreHashes] = event.tokenHashes;
    if (jti !== undefined && hash === undefined && moreJtis.length === 0) {
      return { format: 'jwt_id', iss: event.issuer, jti };
    }
    if (hash !== undefined && jti === undefined && moreHashes.length === 0) return opaque(hash);
  }
  const subject: SubjectIdentifier = { format: 'complex' };
  if (event.scope === 'family' && event.familyId !== undefined) subject.session = opaque(event.familyId);
  if (event.scope !== 'client' && event.subject !== undefined) {
    subject.user = { format: 'iss_sub', iss: event.issuer, sub: event.subject };
  }
  if (event.scope !== 'subject' && event.clientId !== undefined) subject.application = opaque(event.clientId);
  subject.tenant = opaque(event.tenant);
  return subject;
}

/** The event type URI of the event's SET. */
export function eventType(event: RevocationEvent): string {
  return event.scope === 'token' ? TOKEN_REVOKED : SESSION_REVOKED;
}

/** The claims of the SET announcing `event`. */
export function revocationSetClaims(event: RevocationEvent, options: RevocationSetOptions): JWTPayload {
  return {
    iss: options.issuer,
    iat: options.issuedAt,
    jti: event.id,
    ...(options.audience !== undefined ? { aud: options.audience } : {}),
    txn: event.id,
    toe: event.at,
    sub_id: subjectIdentifier(event),
    events: { [eventType(event)]: { event_timestamp: event.at } },
    [REVOCATION_CLAIM]: {
      tenant: event.tenant,
      issuer: event.issuer,
      scope: event.scope,
      token_hashes: event.tokenHashes,
      jtis: event.jtis,
      ...(event.subject !== undefined ? { subject: event.subject } : {}),
      ...(event.clientId !== undefined ? { client_id: event.clientId } : {}),
      ...(event.familyId !== undefined ? { family_id: event.familyId } : {}),
    },
  };
}

/**
 * The event a verified SET announces, or undefined when it is not one of ours (no `events` object, no
 * extension claim, or a malformed one). The signature, `typ` and `iss` are the caller's to verify first.
 */
export function revocationEventFromClaims(claims: JWTPayload): RevocationEvent | undefined {
  const events = claims.events;
  const extension = claims[REVOCATION_CLAIM] as Record<string, unknown> | undefined;
  if (typeof events !== 'object' || events === null || typeof extension !== 'object' || extension === null) {
    return undefined;
  }
  return readRevocationEvent({
    id: claims.jti,
    issuer: extension.issuer,
    tenant: extension.tenant,
    at: typeof claims.toe === 'number' ? claims.toe : claims.iat,
    scope: extension.scope,
    tokenHashes: extension.token_hashes,
    jtis: extension.jtis,
    subject: extension.subject,
    clientId: extension.client_id,
    familyId: extension.family_id,
  });
}

/**
 * @module idp/console/tokens
 * Active tokens as the console shows and revokes them: search by client or subject (the store's
 * `tokens.list` with `activeAt`), each with the answer the introspection endpoint gives for it; revoke one
 * (RFC 7009 semantics: a refresh token takes its whole grant along, `tokens/revocation`), or every token of
 * a client or subject at once.
 *
 * Revocations go through the IdP's revocation service when it has one (`idp/events`: it publishes
 * revocation events so caches of resource servers and gateways drop the tokens at once), else straight to
 * the store (`tokens.revokeWhere`); introspection answers inactive either way from the next call on.
 */
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { RevocationEvents, RevocationNotifier } from '../events/revocation-events.ts';
import type { StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { revokeToken } from '../tokens/revocation.ts';
import { readClaims } from '../tokens/stored-claims.ts';
import { answerForRecord } from './token-answer.ts';

/** At most this many tokens are listed per search: a console page, not an export. */
export const TOKEN_LIST_LIMIT = 100;

export interface TokenQueryInput {
  clientId?: string;
  subject?: string;
}

export interface TokenRow {
  /** The record id: a JWT's `jti`, an opaque token's SHA-256 digest (never the token). */
  id: string;
  /** The public identifier shown: the token's `jti`. */
  jti: string;
  kind: StoredToken['kind'];
  format: StoredToken['format'];
  clientId: string;
  subject: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  answer: IntrospectionAnswer;
}

/** The IdP's revocation service (`idp.revocations`): revokes and announces (see `idp/events`). */
export type Revocations = Pick<RevocationEvents, 'revokeClient' | 'revokeSubject'> & RevocationNotifier;

/** Active tokens of `tenant` matching the query, newest first, each with its introspection answer. */
export async function searchTokens(
  store: IdpStore,
  tenant: string,
  query: TokenQueryInput,
  now: number,
): Promise<TokenRow[]> {
  const records = await store.tokens.list(tenant, {
    clientId: query.clientId || undefined,
    subject: query.subject || undefined,
    activeAt: now,
    limit: TOKEN_LIST_LIMIT,
  });
  records.sort((a, b) => b.issuedAt - a.issuedAt);
  return Promise.all(
    records.map(async (record) => ({
      id: record.id,
      jti: readClaims(record).jti,
      kind: record.kind,
      format: record.format,
      clientId: record.clientId,
      subject: record.subject,
      scope: record.scope,
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
      answer: await answerForRecord(store, record, now),
    })),
  );
}

/** Revokes the token with record id `id`; false when the tenant has no such token. */
export async function revokeById(
  store: IdpStore,
  revocations: Revocations | undefined,
  tenant: string,
  id: string,
  now: number,
): Promise<boolean> {
  const record = await store.tokens.get(tenant, id);
  if (!record) return false;
  await revokeToken(store, record, now, revocations);
  return true;
}

/** Revokes every token of a client or of a subject; returns how many. */
export async function revokeAllOf(
  store: IdpStore,
  revocations: Revocations | undefined,
  tenant: string,
  target: { clientId: string } | { subject: string },
  now: number,
): Promise<number> {
  if (!revocations) return store.tokens.revokeWhere(tenant, target, now);
  const outcome =
    'clientId' in target
      ? await revocations.revokeClient(tenant, target.clientId)
      : await revocations.revokeSubject(tenant, target.subject);
  return outcome.revoked;
}

/**
 * @module idp/tokens/token-state
 * Whether a stored token is active now (RFC 7662 §4: the server MUST check expiry, not-yet-valid and
 * revocation), and whether the parties it was issued to still exist: a token of a disabled or deleted client
 * or user is no longer active (Keycloak checks "client enabled" and "user enabled" the same way).
 */
import type { Client, StoredToken, User } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { readClaims } from './stored-claims.ts';

/**
 * Instances of a scaled-out IdP share the store but not a clock: a token issued by an instance whose clock is
 * a few seconds ahead is still valid at the others (RFC 7519 §4.1.5 allows "some small leeway").
 */
export const CLOCK_SKEW_SECONDS = 30;

/**
 * Not revoked, not expired (RFC 7519 §4.1.4: invalid "on or after" exp), not issued in the future, and
 * not an already exchanged refresh token (rotation, RFC 9700 §4.14.2: it can never be used again).
 */
export function isCurrent(record: StoredToken, now: number): boolean {
  return (
    record.revokedAt === undefined &&
    record.consumedAt === undefined &&
    record.expiresAt > now &&
    record.issuedAt <= now + CLOCK_SKEW_SECONDS
  );
}

export interface TokenParties {
  client: Client;
  /** Set for tokens issued to a user. */
  user?: User;
}

/** The token's client (and user), or undefined when either is gone or disabled. */
export async function liveParties(store: IdpStore, record: StoredToken): Promise<TokenParties | undefined> {
  const { username } = readClaims(record);
  if (username === undefined) {
    // A client's own token (client_credentials): one read, no Promise.all.
    const client = await store.clients.get(record.tenant, record.clientId);
    return client && !client.disabled ? { client } : undefined;
  }
  const [client, user] = await Promise.all([
    store.clients.get(record.tenant, record.clientId),
    store.users.get(record.tenant, username),
  ]);
  if (!client || client.disabled || !user || user.disabled) return undefined;
  return { client, user };
}

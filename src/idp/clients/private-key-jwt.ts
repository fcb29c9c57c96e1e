/**
 * @module idp/clients/private-key-jwt
 * Verifying a `private_key_jwt` client assertion (RFC 7523 §3, OIDC Core §9) against the keys registered
 * for the client:
 *
 * - asymmetric signature by one of the client's `jwks` (never `none` or HMAC: a public key is no secret);
 * - `iss` = `sub` = client_id;
 * - `aud` names this authorization server: its issuer identifier (what draft-ietf-oauth-rfc7523bis asks
 *   clients to send, after the audience-injection attacks CVE-2025-27370/27371), the endpoint called, or
 *   the token endpoint (RFC 7523 §3 "the token endpoint URL MAY be used"); Keycloak #30599 shows why the
 *   issuer must be accepted at every endpoint, not just the token endpoint;
 * - `exp` required and at most `maxLifetime` ahead, `jti` required: the pair is remembered until `exp`
 *   (`store.replay`), so an assertion is single-use (RFC 7523 §3 item 7).
 *
 * Any failure is `invalid_client` for the caller; the precise reason is returned for the log.
 */
import { createLocalJWKSet, errors, type JWK, jwtVerify } from 'jose';
import { JWT_ALGORITHMS } from '../../config/schema.ts';
import type { Client } from '../model.ts';
import type { IdpStore } from '../store/types.ts';

/** Client assertions are verified with the client's public keys: asymmetric algorithms only. */
const ASYMMETRIC: string[] = [...JWT_ALGORITHMS];

export interface AssertionCheck {
  client: Client;
  assertion: string;
  /** Accepted `aud` values. */
  audiences: string[];
  /** Longest accepted `exp - now`, milliseconds. */
  maxLifetimeMs: number;
  clockToleranceMs: number;
  replay: IdpStore['replay'];
  /** Epoch milliseconds. */
  now: number;
}

/** Verifies the assertion; resolves undefined when accepted, else the reason it was refused. */
export async function checkClientAssertion(check: AssertionCheck): Promise<string | undefined> {
  const { client } = check;
  if (!client.jwks?.keys.length) return 'client has no registered keys';
  let payload: { exp?: number; jti?: unknown };
  try {
    ({ payload } = await jwtVerify(check.assertion, createLocalJWKSet(client.jwks as { keys: JWK[] }), {
      algorithms: ASYMMETRIC,
      issuer: client.clientId,
      subject: client.clientId,
      audience: check.audiences,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: check.clockToleranceMs / 1000,
      currentDate: new Date(check.now),
    }));
  } catch (error) {
    return error instanceof errors.JOSEError ? `assertion rejected (${error.code})` : 'assertion rejected';
  }
  const exp = payload.exp as number;
  if (exp * 1000 - check.now > check.maxLifetimeMs + check.clockToleranceMs)
    return 'assertion lives too long';
  if (typeof payload.jti !== 'string' || payload.jti === '') return 'assertion jti is not a string';
  // Only a verified assertion is remembered, so nobody can burn another client's jti values.
  const fresh = await check.replay.remember(client.tenant, `${client.clientId}\n${payload.jti}`, exp);
  return fresh ? undefined : 'assertion replayed';
}

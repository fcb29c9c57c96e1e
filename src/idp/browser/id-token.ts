/**
 * @module idp/browser/id-token
 * The OpenID Connect ID token (OIDC Core §2, §3.1.3.6): a JWT signed with the tenant's active key (the
 * same keys as access tokens, published in the JWKS), with `iss`, `sub`, `aud` = the client, `exp`, `iat`,
 * `auth_time`, `nonce` (when the request had one, §3.1.2.1), `azp` and `at_hash` (§3.1.3.6: the left half of
 * the hash of the access token, the hash of the signing algorithm's size).
 *
 * Also the check of an `id_token_hint` (RP-Initiated Logout §2): a token this IdP signed for the tenant,
 * with its signature verified; an expired one is accepted (the spec allows it: the user may have been
 * away), since it only identifies, never authorizes.
 */
import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, SignJWT } from 'jose';
import type { Realm } from '../tokens/types.ts';
import type { BrowserServices } from './types.ts';

export interface IdTokenInput {
  realm: Realm;
  clientId: string;
  subject: string;
  /** Epoch seconds. */
  authTime: number;
  nonce?: string;
  accessToken: string;
  /** Seconds. */
  lifetime: number;
  /** Epoch seconds. */
  now: number;
}

/** The hash function OIDC Core §3.1.3.6 pairs with `alg` (EdDSA: SHA-512, per the Ed25519 errata). */
function hashOf(alg: string): string {
  if (alg.endsWith('384')) return 'sha384';
  if (alg.endsWith('512') || alg === 'EdDSA' || alg === 'Ed25519') return 'sha512';
  return 'sha256';
}

/** `at_hash`: base64url of the left-most half of the hash of the access token's ASCII octets. */
export function accessTokenHash(accessToken: string, alg: string): string {
  const digest = createHash(hashOf(alg)).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export async function signIdToken(keys: BrowserServices['keys'], input: IdTokenInput): Promise<string> {
  const key = await keys.activeKey(input.realm.tenant);
  return new SignJWT({
    iss: input.realm.issuer,
    sub: input.subject,
    aud: input.clientId,
    exp: input.now + input.lifetime,
    iat: input.now,
    auth_time: input.authTime,
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    azp: input.clientId,
    at_hash: accessTokenHash(input.accessToken, key.alg),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** `sub` and `aud` of an ID token this IdP signed for `realm`, or undefined. */
export async function readIdTokenHint(
  keys: BrowserServices['keys'],
  realm: Realm,
  token: string,
): Promise<{ subject: string; audience: string[] } | undefined> {
  try {
    // Only ID tokens (access tokens of the same key carry `typ: at+jwt`).
    const { kid, typ } = decodeProtectedHeader(token);
    const key =
      typeof kid === 'string' && typ === 'JWT' ? await keys.verificationKey(realm.tenant, kid) : undefined;
    if (!key) return undefined;
    const { payload } = await compactVerify(token, key);
    const claims = JSON.parse(new TextDecoder().decode(payload)) as {
      iss?: unknown;
      sub?: unknown;
      aud?: unknown;
    };
    const audience =
      typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (claims.iss !== realm.issuer || typeof claims.sub !== 'string') return undefined;
    return { subject: claims.sub, audience: audience.filter((entry) => typeof entry === 'string') };
  } catch {
    return undefined;
  }
}

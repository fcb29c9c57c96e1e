/**
 * @module gateway/forward/phantom-token
 * The phantom-token pattern (Curity; Oathkeeper's `id_token` mutator): the client's token, opaque or not,
 * stays at the gateway, and the upstream gets a short-lived JWT signed by the gateway with the claims it
 * needs, verifiable against the gateway's JWKS. Its `exp` is never past the client token's. A signed JWT
 * is reused for a verified answer (the principal) and route until half its lifetime is spent, so a cache
 * hit does not pay for a signature.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Principal } from '../../claims/types.ts';
import { claimAt, splitClaimPath } from './claim-value.ts';
import type { GatewaySigningKey } from './signing-key.ts';

export interface PhantomTokenOptions {
  readonly key: GatewaySigningKey;
  /** `iss` of the JWT. */
  readonly issuer: string;
  readonly ttlMs: number;
  /** Claim paths copied from the verified token (the last key of a path names the copied claim). */
  readonly claims: readonly string[];
  /** `aud` of the JWT; empty = none. */
  readonly audience: readonly string[];
  readonly now?: () => number;
}

interface Minted {
  readonly jwt: string;
  /** Epoch ms after which a new JWT is signed. */
  readonly renewAt: number;
}

export type PhantomTokenMinter = (principal: Principal) => Promise<string> | string;

export function createPhantomTokenMinter(options: PhantomTokenOptions): PhantomTokenMinter {
  const now = options.now ?? Date.now;
  const paths = options.claims.map((path) => {
    const keys = splitClaimPath(path);
    return { keys, name: keys[keys.length - 1] };
  });
  const audience = options.audience.length === 1 ? options.audience[0] : [...options.audience];
  const minted = new WeakMap<Principal, Minted>();

  async function sign(principal: Principal): Promise<string> {
    const issuedAt = now();
    const tokenExp = principal.expiresAt === undefined ? Infinity : principal.expiresAt * 1000;
    const expiresAt = Math.min(issuedAt + options.ttlMs, tokenExp);
    const payload: Record<string, unknown> = {};
    for (const { keys, name } of paths) {
      const value = claimAt(principal.claims, keys);
      if (value !== undefined) payload[name] = value;
    }
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: options.key.alg, kid: options.key.kid, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID());
    if (options.audience.length) jwt.setAudience(audience);
    const signed = await jwt.sign(options.key.privateKey);
    minted.set(principal, { jwt: signed, renewAt: issuedAt + (expiresAt - issuedAt) / 2 });
    return signed;
  }

  return (principal) => {
    const entry = minted.get(principal);
    return entry !== undefined && entry.renewAt > now() ? entry.jwt : sign(principal);
  };
}

/**
 * @module events/set-verifier
 * Verifying a revocation SET from the IdP's stream before acting on it: signature by a key of the issuer's
 * JWKS (the library's `KeySets`, which follows key rotation), an asymmetric algorithm (a SET signed with a
 * shared secret or `none` is refused), `typ: secevent+jwt` (RFC 8417 §2.3), `iss` the configured issuer,
 * and `aud` our client id when we have one (the IdP addresses SETs to the client that opened the stream).
 */
import { jwtVerify } from 'jose';
import { JWT_ALGORITHMS } from '../config/schema.ts';
import { withoutTrailingSlash } from '../discovery/issuer-identifier.ts';
import type { KeySets } from '../jwt/key-sets.ts';
import { revocationEventFromClaims, SET_TYPE } from './set.ts';
import type { RevocationEvent } from './types.ts';

export interface SetVerifierOptions {
  issuer: string;
  /** Required `aud`, when the receiver knows its identifier (its client id). */
  audience?: string;
  keys: KeySets;
}

/** A function verifying one compact SET and reading its event (undefined when it carries none of ours). */
export function createSetVerifier(
  options: SetVerifierOptions,
): (set: string) => Promise<RevocationEvent | undefined> {
  const { issuer, audience, keys } = options;
  // The configured issuer may differ from the SET's `iss` by a terminating slash only (as `sameIssuer`).
  const issuers = [withoutTrailingSlash(issuer), `${withoutTrailingSlash(issuer)}/`];
  return async (set) => {
    const getKey = await keys.get(issuer);
    const { payload } = await jwtVerify(set, getKey, {
      issuer: issuers,
      typ: SET_TYPE,
      algorithms: [...JWT_ALGORITHMS],
      ...(audience ? { audience } : {}),
    });
    return revocationEventFromClaims(payload);
  };
}

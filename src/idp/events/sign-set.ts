/**
 * @module idp/events/sign-set
 * Signing the SET of a revocation event (`events/set` has the claims) with the tenant's active signing key,
 * the key the IdP's JWKS publishes, so a consumer verifies it exactly as it verifies the IdP's JWTs. Header:
 * `alg`, `kid`, `typ: secevent+jwt` (RFC 8417 §2.3).
 *
 * Many streams carry the same event, and the replicas of one service connect as the same client, so the
 * signed SET is cached per (event, stream issuer, audience) in a small bounded map: one signature per
 * receiver identity instead of one per connection.
 */
import { SignJWT } from 'jose';
import { revocationSetClaims, SET_TYPE } from '../../events/set.ts';
import type { RevocationEvent } from '../../events/types.ts';
import type { KeyManager } from '../keys/key-manager.ts';

export interface SetSignerOptions {
  keys: Pick<KeyManager, 'activeKey'>;
  /** Signed SETs kept (default 1024). */
  cacheSize?: number;
  /** Current time, epoch seconds. */
  now?: () => number;
}

export class SetSigner {
  readonly #keys: Pick<KeyManager, 'activeKey'>;
  readonly #cacheSize: number;
  readonly #now: () => number;
  readonly #signed = new Map<string, Promise<string>>();

  constructor(options: SetSignerOptions) {
    this.#keys = options.keys;
    this.#cacheSize = options.cacheSize ?? 1024;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The compact SET announcing `event` on a stream of `issuer`, addressed to `audience` when known. */
  sign(event: RevocationEvent, issuer: string, audience?: string): Promise<string> {
    const key = `${event.id}\n${issuer}\n${audience ?? ''}`;
    let signed = this.#signed.get(key);
    if (signed === undefined) {
      signed = this.#sign(event, issuer, audience);
      this.#signed.set(key, signed);
      // A failed signature (keys unavailable) is not cached: the next stream tries again.
      signed.catch(() => this.#signed.delete(key));
      if (this.#signed.size > this.#cacheSize)
        this.#signed.delete(this.#signed.keys().next().value as string);
    }
    return signed;
  }

  async #sign(event: RevocationEvent, issuer: string, audience: string | undefined): Promise<string> {
    const key = await this.#keys.activeKey(event.tenant);
    const claims = revocationSetClaims(event, { issuer, audience, issuedAt: this.#now() });
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: SET_TYPE })
      .sign(key.privateKey);
  }
}

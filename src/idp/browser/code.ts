/**
 * @module idp/browser/code
 * Authorization codes (RFC 6749 §4.1.2) without server state: a code is its own record, encrypted and
 * authenticated (JWE compact, `dir` + `A256GCM`), so no store table is needed and any replica sharing the
 * store can redeem it. Encryption, not just a signature, because the code travels in a URL (browser history,
 * the client's access log) and carries the user's name and the nonce.
 *
 * The key is derived per tenant key (HKDF-SHA-256 of the private key material of the tenant's signing key,
 * labelled for this one use, so it never serves as a signing key): codes follow key rotation, and every
 * replica derives the same key from the shared store. The JWE header names the `kid`.
 *
 * What a code binds (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.2): the tenant and issuer, the
 * client, the exact redirect_uri, the PKCE challenge, the granted scope, the user and the time of sign-in,
 * and the OIDC nonce. It lives 60 seconds (§4.1.2: "maximum authorization code lifetime of 10 minutes is
 * RECOMMENDED"; oidc-provider uses 60 s). Single use is enforced at redemption by the replay cache.
 */
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import type { KeyManager } from '../keys/key-manager.ts';
import type { IdpStore } from '../store/types.ts';

/** Seconds a code may be redeemed after it was issued. */
export const CODE_LIFETIME_SECONDS = 60;

export interface AuthorizationCode {
  /** Unique id: the replay-cache key, and the token family of what it is exchanged for. */
  jti: string;
  tenant: string;
  issuer: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string[];
  /** The user (`sub`). */
  subject: string;
  /** When the user signed in, epoch seconds (OIDC `auth_time`). */
  authTime: number;
  nonce?: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
}

const HKDF_SALT = 'tokenguard/authorization-code/v1';
const MAX_CACHED_KEYS = 1000;

function isCode(value: unknown): value is AuthorizationCode {
  const code = value as Partial<AuthorizationCode> | null;
  const strings = ['jti', 'tenant', 'issuer', 'clientId', 'redirectUri', 'codeChallenge', 'subject'] as const;
  return (
    typeof code === 'object' &&
    code !== null &&
    strings.every((name) => typeof code[name] === 'string') &&
    Array.isArray(code.scope) &&
    code.scope.every((entry) => typeof entry === 'string') &&
    typeof code.authTime === 'number' &&
    typeof code.iat === 'number' &&
    typeof code.exp === 'number' &&
    (code.nonce === undefined || typeof code.nonce === 'string')
  );
}

export class CodeSealer {
  readonly #store: Pick<IdpStore, 'keys'>;
  readonly #keys: Pick<KeyManager, 'activeKey'>;
  readonly #secrets = new Map<string, Uint8Array>();

  constructor(store: Pick<IdpStore, 'keys'>, keys: Pick<KeyManager, 'activeKey'>) {
    this.#store = store;
    this.#keys = keys;
  }

  /** The code's value to hand to the browser. */
  async seal(code: AuthorizationCode): Promise<string> {
    const { kid } = await this.#keys.activeKey(code.tenant);
    const secret = await this.#secret(code.tenant, kid);
    if (!secret) throw new Error(`signing key ${kid} of tenant ${code.tenant} has no private key material`);
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(code)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(secret);
  }

  /**
   * The code `value` stands for, when it was sealed by this IdP for `tenant` and has not expired at `now`
   * (epoch seconds); undefined for anything else (garbage, another tenant's, tampered, expired).
   */
  async open(tenant: string, value: string, now: number): Promise<AuthorizationCode | undefined> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(value).kid;
    } catch {
      return undefined;
    }
    if (typeof kid !== 'string') return undefined;
    const secret = await this.#secret(tenant, kid);
    if (!secret) return undefined;
    let code: unknown;
    try {
      const { plaintext } = await compactDecrypt(value, secret, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      code = JSON.parse(new TextDecoder().decode(plaintext));
    } catch {
      return undefined;
    }
    if (!isCode(code) || code.tenant !== tenant || code.exp <= now) return undefined;
    return code;
  }

  /** The sealing key of `tenant`'s signing key `kid`, or undefined when the tenant has no such key. */
  async #secret(tenant: string, kid: string): Promise<Uint8Array | undefined> {
    const id = `${tenant}\n${kid}`;
    const cached = this.#secrets.get(id);
    if (cached) return cached;
    const key = (await this.#store.keys.list(tenant)).find((candidate) => candidate.kid === kid);
    const material = key?.privateJwk.d;
    if (typeof material !== 'string') return undefined;
    const secret = new Uint8Array(hkdfSync('sha256', Buffer.from(material, 'base64url'), HKDF_SALT, id, 32));
    if (this.#secrets.size >= MAX_CACHED_KEYS) this.#secrets.clear();
    this.#secrets.set(id, secret);
    return secret;
  }
}

/**
 * @module idp/secrets
 * Making and checking secrets. Opaque tokens and generated client secrets carry 256 bits of randomness, so
 * a salted SHA-256 digest is enough to store them (fast: a token request must not cost a KDF run). User
 * passwords are low-entropy: scrypt, a memory-hard KDF. Every comparison runs in constant time. Digests use
 * the one-shot `crypto.hash` (no Hash object per call: these run on every introspection).
 */
import { hash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * 256 bits of randomness, base64url (43 characters): opaque tokens, refresh tokens, client secrets. Never
 * begins with `-`: such a value reads as an option on a command line (`tokenguard idp tokens revoke -c…`
 * would be `-c` with a value), so it is drawn again, which costs under 0.03 bits of the 256.
 */
export function randomToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (token.charCodeAt(0) !== 0x2d) return token;
  }
}

/**
 * Storage key of an opaque token: its SHA-256, so a leaked database leaks no usable token. The library's
 * digest, on purpose: revocation events name a token by it, and caches find the token's answer by it.
 */
export { tokenDigest } from '../cache/key.ts';

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256:<salt>:<digest>` of a client secret. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `sha256:${salt}:${hash('sha256', `${salt}:${secret}`, 'base64url')}`;
}

export function verifySecret(secret: string, stored: string | undefined): boolean {
  const [scheme, salt, digest] = (stored ?? '').split(':');
  // Compare against a dummy when there is no usable record, so timing does not tell "unknown client".
  const expected = Buffer.from(scheme === 'sha256' && digest ? digest : 'x'.repeat(43), 'base64url');
  const actual = hash('sha256', `${salt ?? ''}:${secret}`, 'buffer');
  return equal(actual, expected) && scheme === 'sha256';
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** `scrypt:<N>:<r>:<p>:<salt>:<digest>` of a user password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const digest = await scrypt(password, salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return `scrypt:${N}:${r}:${p}:${salt.toString('base64url')}:${digest.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? '').split(':');
  const valid = parts.length === 6 && parts[0] === 'scrypt';
  const [N, r, p] = valid ? parts.slice(1, 4).map(Number) : [SCRYPT.N, SCRYPT.r, SCRYPT.p];
  const salt = Buffer.from(valid ? parts[4] : 'c2FsdA', 'base64url');
  const expected = Buffer.from(valid ? parts[5] : 'A'.repeat(43), 'base64url');
  // Derive even for an unknown user, so the answer takes as long either way.
  const actual = await scrypt(password, salt, expected.length || SCRYPT.keylen, {
    N,
    r,
    p,
    maxmem: 64 * 1024 * 1024,
  });
  return valid && equal(actual, expected);
}

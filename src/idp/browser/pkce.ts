/**
 * @module idp/browser/pkce
 * Proof Key for Code Exchange (RFC 7636) as this server requires it: every authorization request carries a
 * `code_challenge` with `code_challenge_method=S256` (RFC 9700 §2.1.1: `plain` is not to be used; an absent
 * method means `plain`, §4.3, so it is refused too), and the token request's `code_verifier` must hash to it
 * (§4.6). The comparison runs in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** §4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Why the challenge of an authorization request is refused, or undefined when it is acceptable. */
export function challengeProblem(
  challenge: string | undefined,
  method: string | undefined,
): string | undefined {
  if (challenge === undefined) return 'code_challenge is required (PKCE, RFC 7636).';
  if (method !== 'S256') return 'code_challenge_method must be S256 (plain is not supported).';
  if (!S256_CHALLENGE.test(challenge)) return 'code_challenge is not a S256 challenge.';
  return undefined;
}

/** `BASE64URL(SHA256(ASCII(verifier)))` (§4.2). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is well-formed and hashes to `challenge` (§4.6). */
export function verifyCodeVerifier(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  const actual = Buffer.from(s256Challenge(verifier));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

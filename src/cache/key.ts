/**
 * @module cache/key
 * Cache keys: `<namespace digest>.<SHA-256 of the token>`, base64url. The namespace names the endpoint or
 * issuer configuration and the client identity we present, so answers of two IdPs or two clients never meet
 * (Oathkeeper CVE-2026-33496, lua-resty-openidc #399). Its digest is computed once per route; the token is
 * hashed alone, so no copy of (namespace ‖ token) is built per request. Hashing keeps raw tokens out of
 * memory dumps and out of shared caches such as Redis; `crypto.hash` costs 0.3–1 µs (it grows with the
 * token's length).
 *
 * A cache that belongs to one route alone (the in-process LRU the pipeline creates for it) is itself the
 * namespace: its keys are the token digest without the prefix (see `Authenticator`), which spares the
 * hot path a 66-character key string per request.
 */
import { hash } from 'node:crypto';

/** The prefix of every key of one namespace (22 base64url characters: 132 bits of SHA-256). */
export function keyPrefix(namespace: string): string {
  return hash('sha256', namespace, 'base64url').slice(0, 22);
}

/** SHA-256 of a token, base64url: the part of every key that names the token, and what revocation events carry. */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** The key of `token` under a prefix from `keyPrefix`. */
export function cacheKey(prefix: string, token: string): string {
  return `${prefix}.${tokenDigest(token)}`;
}

/** A short, non-reversible token fingerprint for log lines (`token_hash`). */
export function tokenFingerprint(token: string): string {
  return hash('sha256', token, 'base64url').slice(0, 16);
}

/**
 * @module cache/key
 * Cache keys: `<namespace digest>.<SHA-256 of the token>`, base64url. The namespace names the endpoint or
 * issuer configuration and the client identity we present, so answers of two IdPs or two clients never meet
 * (Oathkeeper CVE-2026-33496, lua-resty-openidc #399). Its digest is computed once per route; the token is
 * hashed alone, so no copy of (namespace ‖ token) is built per request. Hashing keeps raw tokens out of
 * memory dumps and out of shared caches such as Redis; `crypto.hash` costs about 1 µs here.
 */
import { hash } from 'node:crypto';

/** The prefix of every key of one namespace (22 base64url characters: 132 bits of SHA-256). */
export function keyPrefix(namespace: string): string {
  return hash('sha256', namespace, 'base64url').slice(0, 22);
}

/** The key of `token` under a prefix from `keyPrefix`. */
export function cacheKey(prefix: string, token: string): string {
  return `${prefix}.${hash('sha256', token, 'base64url')}`;
}

/** A short, non-reversible token fingerprint for log lines (`token_hash`). */
export function tokenFingerprint(token: string): string {
  return hash('sha256', token, 'base64url').slice(0, 16);
}

/**
 * @module cache/key
 * Cache keys: SHA-256 over (namespace ‖ token), base64url. The namespace names the endpoint or issuer
 * configuration and the client identity we present, so answers of two IdPs or two clients never meet
 * (Oathkeeper CVE-2026-33496, lua-resty-openidc #399). Hashing also keeps raw tokens out of memory dumps and
 * out of shared caches such as Redis. `crypto.hash` is a one-shot digest costing about 1 µs here.
 */
import { hash } from 'node:crypto';

export function cacheKey(namespace: string, token: string): string {
  return hash('sha256', `${namespace}\n${token}`, 'base64url');
}

/** A short, non-reversible token fingerprint for log lines (`token_hash`). */
export function tokenFingerprint(token: string): string {
  return hash('sha256', token, 'base64url').slice(0, 16);
}

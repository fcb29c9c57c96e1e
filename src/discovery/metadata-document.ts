/**
 * @module discovery/metadata-document
 * Validation of an authorization-server metadata document (RFC 8414 §3.2 / OIDC Discovery §4.2) before
 * anything in it is used. A document that fails here is an IdP fault: `serviceUnavailable` with reason
 * `discovery_failed`, never a verdict on the caller's token.
 */
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import { sameIssuer } from './issuer-identifier.ts';
import type { AuthorizationServerMetadata } from './types.ts';

/**
 * The URL-valued members tokenguard reads (RFC 8414 §2, RFC 7662 §4, RFC 7009 §3). Each must be an
 * absolute http(s) URL when present: a relative or `file:` URL would otherwise be fetched or trusted.
 * Members tokenguard never reads are left alone, so that an oddity there cannot take authentication down.
 */
const URL_MEMBERS = ['jwks_uri', 'token_endpoint', 'introspection_endpoint', 'revocation_endpoint'] as const;

/** Longest piece of IdP-supplied text copied into an error detail. */
const DETAIL_MAX = 120;

function fail(source: string, why: string): never {
  throw serviceUnavailable('discovery_failed', `metadata at ${source}: ${why}`);
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // WHATWG parsing also accepts `https:host` and `https:\\host`; an absolute URL (RFC 3986 §4.3) has `//`.
    return (url.protocol === 'https:' || url.protocol === 'http:') && /^https?:\/\//i.test(value);
  } catch {
    return false;
  }
}

function shown(value: unknown): string {
  return JSON.stringify(String(value).slice(0, DETAIL_MAX));
}

/**
 * Parses and validates the document `body` fetched from `source` for the issuer `issuerUrl`.
 * RFC 8414 §3.3 / OIDC Discovery §4.3: the `issuer` member must be identical to the issuer the document
 * was requested for (here: up to one terminating `/`), which stops one issuer from impersonating another.
 */
export function parseMetadataDocument(
  body: string,
  issuerUrl: string,
  source: string,
): AuthorizationServerMetadata {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    fail(source, 'the answer is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    fail(source, 'the answer is not a JSON object');
  }
  const members = document as Record<string, unknown>;
  if (typeof members.issuer !== 'string' || members.issuer === '') {
    fail(source, 'the "issuer" member is missing');
  }
  if (!sameIssuer(members.issuer, issuerUrl)) {
    fail(source, `"issuer" ${shown(members.issuer)} is not the requested issuer (RFC 8414 §3.3)`);
  }
  for (const name of URL_MEMBERS) {
    const value = members[name];
    if (value !== undefined && (typeof value !== 'string' || !isAbsoluteHttpUrl(value))) {
      fail(source, `"${name}" ${shown(value)} is not an absolute http(s) URL`);
    }
  }
  const algs = members.introspection_signing_alg_values_supported;
  if (algs !== undefined && (!Array.isArray(algs) || algs.some((alg) => typeof alg !== 'string'))) {
    fail(source, '"introspection_signing_alg_values_supported" is not an array of strings');
  }
  return Object.freeze(members as AuthorizationServerMetadata);
}

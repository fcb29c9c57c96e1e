/**
 * @module discovery/issuer-identifier
 * Issuer identifiers: how two of them are compared, and where an issuer publishes its metadata
 * (OpenID Connect Discovery 1.0 §4 and RFC 8414 §3.1).
 */
import { serviceUnavailable } from '../errors/tokenguard-error.ts';

/**
 * The URL with exactly one terminating `/` removed, if it has one. Issuers are configured both ways
 * (`https://idp/` and `https://idp`); OIDC Discovery §4 removes "any terminating /" before appending the
 * well-known path, and comparisons here forgive one slash either way, never more.
 */
export function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Whether two issuer identifiers name the same issuer (identical up to one terminating `/`). */
export function sameIssuer(a: string, b: string): boolean {
  return withoutTrailingSlash(a) === withoutTrailingSlash(b);
}

export interface MetadataUrls {
  /** OIDC Discovery §4: `<issuer without terminating />/.well-known/openid-configuration`. */
  openidConfiguration: string;
  /** RFC 8414 §3.1: the well-known segment inserted between the host and the issuer's path. */
  authorizationServer: string;
}

/**
 * Where the metadata of `issuerUrl` lives. The issuer must be an absolute http(s) URL without query,
 * fragment or userinfo (RFC 8414 §2, "issuer"); anything else rejects with `discovery_failed`.
 */
export function metadataUrls(issuerUrl: string): MetadataUrls {
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    throw serviceUnavailable('discovery_failed', `issuer ${JSON.stringify(issuerUrl)} is not a URL`);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    issuerUrl.includes('?') ||
    issuerUrl.includes('#')
  ) {
    throw serviceUnavailable(
      'discovery_failed',
      `issuer ${url.origin} must be an http(s) URL without query, fragment or userinfo (RFC 8414 §2)`,
    );
  }
  return {
    openidConfiguration: `${withoutTrailingSlash(issuerUrl)}/.well-known/openid-configuration`,
    authorizationServer: `${url.origin}/.well-known/oauth-authorization-server${withoutTrailingSlash(url.pathname)}`,
  };
}

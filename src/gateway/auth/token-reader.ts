/**
 * @module gateway/auth/token-reader
 * Where a route reads its token: the route's `tokenSources` (Kong bearer_token_param_type, Traefik
 * tokenSource), else its authenticator's. The gateway extracts the token itself, with the route's sources,
 * so that it knows where the credential was (to strip it) and so that one authenticator, and its one cache,
 * serves routes that read tokens from different places.
 */
import type { AuthConfig } from '../../config/schema.ts';
import { createTokenExtractor, type TokenExtractor } from '../../token/extract.ts';
import type { RequestLike } from '../../token/types.ts';

export type TokenSources = AuthConfig['tokenSources'];

export interface TokenReader {
  readonly sources: TokenSources;
  readonly extractor: TokenExtractor;
  /** True when a form body must be read before extraction (the body source is on). */
  readonly needsBody: boolean;
}

export function createTokenReader(sources: TokenSources): TokenReader {
  return { sources, extractor: createTokenExtractor(sources), needsBody: sources.body.enabled };
}

/**
 * A request that carries only `token`, in the first source the authenticator itself reads, so that its
 * synchronous `checkCached` finds the token whatever source the route read it from.
 */
export function tokenCarrier(sources: TokenSources): (token: string) => RequestLike {
  const { header, query, cookie, body } = sources;
  if (header.enabled) {
    const name = header.name.toLowerCase();
    const prefix = header.scheme ? `${header.scheme} ` : '';
    return (token) => ({ headers: { [name]: prefix + token } });
  }
  if (query.enabled) {
    const name = encodeURIComponent(query.name);
    return (token) => ({ headers: {}, url: `/?${name}=${encodeURIComponent(token)}` });
  }
  if (cookie.enabled) return (token) => ({ headers: { cookie: `${cookie.name}=${token}` } });
  if (body.enabled) {
    return (token) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { [body.name]: token },
    });
  }
  return (token) => ({ headers: { authorization: `Bearer ${token}` } });
}

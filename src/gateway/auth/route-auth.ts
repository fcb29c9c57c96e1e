/**
 * @module gateway/auth/route-auth
 * Authentication and authorization of one request on one route: extract the token with the route's
 * sources, answer from the authenticator's in-process cache without a promise when it can (`checkCached`),
 * else authenticate (one IdP call per key, the request passed along for forwarded headers and parameters),
 * and run the route's authorizer on every path.
 */
import type { Authorizer } from '../../authz/types.ts';
import type { Principal } from '../../claims/types.ts';
import type { ForwardableRequest } from '../../introspection/request-forwarding.ts';
import type { Authenticator } from '../../pipeline/authenticator.ts';
import type { ExtractedToken, RequestLike } from '../../token/types.ts';
import { type TokenReader, tokenCarrier } from './token-reader.ts';

/** What a route needs to authenticate its requests. */
export interface RouteAuth {
  /** Name of the authenticator (for logs). */
  readonly authenticatorName: string;
  readonly authenticator: Authenticator;
  readonly reader: TokenReader;
  readonly authorizer: Authorizer | undefined;
  /**
   * Builds a request that carries a token where the authenticator's own extractor looks; undefined when
   * the route reads tokens from the same sources as its authenticator (the request itself does then).
   */
  readonly carrier: ((token: string) => RequestLike) | undefined;
}

export interface Authenticated {
  readonly principal: Principal;
  readonly token: ExtractedToken;
}

export type AuthenticationRequest = ForwardableRequest;

export function createRouteAuth(
  authenticatorName: string,
  authenticator: Authenticator,
  reader: TokenReader,
  authorizer: Authorizer | undefined,
): RouteAuth {
  return {
    authenticatorName,
    authenticator,
    reader,
    authorizer,
    // Built once per route: the common case (the route keeps its authenticator's sources) needs no
    // carrier, which would otherwise be a fresh object with a computed key on every request.
    carrier:
      JSON.stringify(reader.sources) === JSON.stringify(authenticator.config.tokenSources)
        ? undefined
        : tokenCarrier(authenticator.config.tokenSources),
  };
}

/**
 * Authenticates `request` for a route. Returns synchronously on an in-process cache hit, else a promise.
 * Throws (or rejects with) the pipeline's TokenguardError: 400, 401, 403 or 503.
 */
export function authenticateRequest(
  auth: RouteAuth,
  request: AuthenticationRequest,
  requestId: string,
): Authenticated | Promise<Authenticated> {
  const token = auth.reader.extractor.extract(request);
  const authorize = auth.authorizer;
  // The carrier holds the token where the authenticator looks; `request` supplies the values forwarded
  // to the IdP (introspection.forwardHeaders …), which are part of the cache key.
  const carrier = auth.carrier === undefined ? request : auth.carrier(token.token);
  const cached = auth.authenticator.checkCached(carrier, { authorize, request });
  if (cached) return { principal: cached, token };
  return auth.authenticator.authenticateToken(token.token, { requestId, request }).then((principal) => {
    auth.authenticator.authorize(principal, authorize);
    return { principal, token };
  });
}

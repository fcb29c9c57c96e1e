/**
 * @module gateway/forward/plan
 * The `ForwardPlan` of a request, what the proxy engine applies: the headers to drop (every identity
 * header the gateway can set on any route, so a client can never pose as someone by sending one, on public
 * routes too; and the client's credential unless kept) and the identity headers to set. A token read from
 * the query string leaves a rewritten request target; one from a cookie a rewritten `Cookie` header.
 */
import type { Principal } from '../../claims/types.ts';
import type { ExtractedToken } from '../../token/types.ts';
import type { TokenSources } from '../auth/token-reader.ts';
import type { ForwardConfig } from '../config/schema.ts';
import type { ForwardPlan } from '../proxy/types.ts';
import { withoutCookie, withoutQueryParam } from './credential.ts';
import type { IdentityForwarder, IdentityHeaders } from './identity-headers.ts';

const NO_HEADERS: IdentityHeaders = Object.freeze({});

export interface PlannedForward {
  readonly plan: ForwardPlan;
  /** The request target to forward when it changed (a query credential removed). */
  readonly url?: string;
}

export interface RoutePlanner {
  /** A request forwarded without authentication (public route): only the spoofing defence. */
  anonymous(requestId: string): ForwardPlan;
  /** A request of `principal`, whose token was found as `token`. */
  authenticated(
    request: {
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly url?: string;
    },
    principal: Principal,
    token: ExtractedToken,
    requestId: string,
  ): PlannedForward | Promise<PlannedForward>;
  /** The identity headers alone (the decision endpoint answers with them). */
  identity(principal: Principal): IdentityHeaders | Promise<IdentityHeaders>;
}

export interface RoutePlannerOptions {
  readonly forward: ForwardConfig;
  /** Where the route reads tokens; absent on a public route. */
  readonly sources?: TokenSources;
  /** Lower-case identity header names of the whole configuration. */
  readonly spoofable: ReadonlySet<string>;
  readonly identity?: IdentityForwarder;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

export function createRoutePlanner(options: RoutePlannerOptions): RoutePlanner {
  const { spoofable, sources, identity } = options;
  const strip = options.forward.credential === 'strip';
  const withHeader = new Set([...spoofable, ...(sources ? [sources.header.name.toLowerCase()] : [])]);
  const withCookie = new Set([...spoofable, 'cookie']);

  function assemble(
    request: Parameters<RoutePlanner['authenticated']>[0],
    token: ExtractedToken,
    requestId: string,
    headers: IdentityHeaders,
  ): PlannedForward {
    if (!strip || token.source === 'body') {
      return { plan: { removeHeaders: spoofable, setHeaders: headers, requestId } };
    }
    switch (token.source) {
      case 'header':
        return { plan: { removeHeaders: withHeader, setHeaders: headers, requestId } };
      case 'query':
        return {
          plan: { removeHeaders: spoofable, setHeaders: headers, requestId },
          // a token came from the query: the route reads tokens, so it has sources
          url: withoutQueryParam(request.url ?? '/', sources!.query.name),
        };
      case 'cookie': {
        const raw = request.headers.cookie;
        const rest = withoutCookie(Array.isArray(raw) ? raw.join('; ') : (raw ?? ''), sources!.cookie.name);
        return rest
          ? { plan: { removeHeaders: spoofable, setHeaders: { ...headers, cookie: rest }, requestId } }
          : { plan: { removeHeaders: withCookie, setHeaders: headers, requestId } };
      }
    }
  }

  const identityOf = (principal: Principal) => (identity ? identity(principal) : NO_HEADERS);

  return {
    anonymous: (requestId) => ({ removeHeaders: spoofable, setHeaders: NO_HEADERS, requestId }),
    authenticated(request, principal, token, requestId) {
      const headers = identityOf(principal);
      return isPromise(headers)
        ? headers.then((resolved) => assemble(request, token, requestId, resolved))
        : assemble(request, token, requestId, headers);
    },
    identity: identityOf,
  };
}

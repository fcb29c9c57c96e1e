/**
 * @module gateway/forward/identity-headers
 * The identity headers of one route for a verified principal: claims mapped to headers (Kong
 * `upstream_headers`, Traefik `forwardHeaders`, Oathkeeper's header mutator), the whole introspection
 * answer as base64url JSON (Kong `upstream_introspection_header`, APISIX `X-Userinfo`), and the phantom
 * token. A claim value holding control characters is not sent, and a warning names the route and header.
 * The claim headers are a function of the principal, which the pipeline memoizes with its cache entry, so
 * they are computed once per verified answer.
 */
import type { Principal } from '../../claims/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ForwardConfig } from '../config/schema.ts';
import { claimAt, headerText, splitClaimPath } from './claim-value.ts';
import { safeHeaderValue } from './header-value.ts';
import type { PhantomTokenMinter } from './phantom-token.ts';

export type IdentityHeaders = Readonly<Record<string, string>>;

/** The headers of a principal; a promise only while a phantom token is being signed. */
export type IdentityForwarder = (principal: Principal) => IdentityHeaders | Promise<IdentityHeaders>;

export interface IdentityForwarderOptions {
  readonly route: string;
  readonly forward: ForwardConfig;
  readonly logger: Logger;
  readonly phantom?: PhantomTokenMinter;
}

/** Lower-case names of every header `forward` can set from a token (the phantom header excepted). */
export function identityHeaderNames(forward: ForwardConfig): string[] {
  const names = Object.keys(forward.headers).map((name) => name.toLowerCase());
  if (forward.introspectionHeader) names.push(forward.introspectionHeader.toLowerCase());
  return names;
}

export function createIdentityForwarder(options: IdentityForwarderOptions): IdentityForwarder {
  const { route, forward, logger, phantom } = options;
  const mapped = Object.entries(forward.headers).map(([header, path]) => ({
    header: header.toLowerCase(),
    keys: splitClaimPath(path),
  }));
  const userinfo = forward.introspectionHeader.toLowerCase();
  const phantomHeader = forward.phantomToken.header.toLowerCase();
  const bearer = phantomHeader === 'authorization';
  const memo = new WeakMap<Principal, IdentityHeaders>();

  function claimHeaders(principal: Principal): IdentityHeaders {
    const headers: Record<string, string> = {};
    for (const { header, keys } of mapped) {
      const text = headerText(claimAt(principal.claims, keys));
      if (text === undefined) continue;
      const value = safeHeaderValue(text);
      if (value === undefined) {
        logger.warn({ route, header }, 'claim value with control characters not forwarded');
        continue;
      }
      headers[header] = value;
    }
    if (userinfo) headers[userinfo] = Buffer.from(JSON.stringify(principal.claims)).toString('base64url');
    return headers;
  }

  function withPhantom(headers: IdentityHeaders, jwt: string): IdentityHeaders {
    return { ...headers, [phantomHeader]: bearer ? `Bearer ${jwt}` : jwt };
  }

  return (principal) => {
    let headers = memo.get(principal);
    if (headers === undefined) {
      headers = claimHeaders(principal);
      memo.set(principal, headers);
    }
    if (!phantom) return headers;
    const jwt = phantom(principal);
    const fixed = headers;
    return typeof jwt === 'string'
      ? withPhantom(fixed, jwt)
      : jwt.then((signed) => withPhantom(fixed, signed));
  };
}

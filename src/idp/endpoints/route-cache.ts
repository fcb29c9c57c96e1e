/**
 * @module idp/endpoints/route-cache
 * What the router derives from a request path before any handler runs: the route (`tenants/profiles`), the
 * realm it addresses and the absolute URL of the endpoint. All of it depends only on the path, the enabled
 * profiles and the base URL, so it is worked out once per path and reused (issue 8: matching, the realm and
 * the endpoint URLs cost several µs per request). Only paths that match a route are remembered, at most
 * `maxEntries` (paths come from clients, and tenant segments are not checked for existence here); the
 * remembered objects are frozen, since every request shares them.
 */
import {
  type EndpointName,
  endpointUrls,
  matchRoute,
  type Profile,
  type Route,
  realmOf,
} from '../tenants/profiles.ts';
import type { Realm } from '../tokens/types.ts';

export interface ResolvedPath {
  route: Route;
  realm: Realm;
  /** Absolute URL of the endpoint called (an accepted `aud` of client assertions, RFC 7523 §3). */
  endpointUrl: string;
}

export class RouteCache {
  readonly #profiles: readonly Profile[];
  readonly #maxEntries: number;
  readonly #resolved = new Map<string, ResolvedPath>();
  #base = '';

  constructor(profiles: readonly Profile[], maxEntries = 1024) {
    this.#profiles = profiles;
    this.#maxEntries = maxEntries;
  }

  /** The route of a raw request path (no query) below `base`, or undefined when none matches. */
  resolve(path: string, base: string): ResolvedPath | undefined {
    if (base !== this.#base) {
      // The base is known once the server listens; anything derived before that is wrong now.
      this.#resolved.clear();
      this.#base = base;
    }
    const known = this.#resolved.get(path);
    if (known) return known;
    const route = matchRoute(path, this.#profiles);
    if (!route) return undefined;
    const resolved: ResolvedPath = Object.freeze({
      route: Object.freeze(route),
      realm: Object.freeze(realmOf(route, base)),
      endpointUrl: endpointUrlOf(route, base, path),
    });
    if (this.#resolved.size < this.#maxEntries) this.#resolved.set(path, resolved);
    return resolved;
  }
}

function endpointUrlOf(route: Route, base: string, path: string): string {
  const endpoint: EndpointName = route.endpoint;
  if (endpoint === 'discovery') return `${base}${path}`;
  return endpointUrls(route.profile, base, route.tenant)[endpoint] ?? `${base}${path}`;
}

/**
 * @module idp/endpoints/authenticate
 * The bridge from an endpoint request to caller authentication (`idp/clients`): which `aud` values a client
 * assertion may carry here (the issuer, this endpoint, the token endpoint; RFC 7523 §3 and rfc7523bis) and
 * which kinds of caller the endpoint accepts. The `aud` list depends only on the route and the base URL, so
 * it is made once per (shared, frozen) route object of the router's route cache.
 */
import type { AcceptedCallers } from '../clients/authenticate-caller.ts';
import { endpointUrls, type Route } from '../tenants/profiles.ts';
import type { Caller } from '../tokens/types.ts';
import type { IdpRequest, IdpServices } from './types.ts';

interface Audiences {
  base: string;
  endpointUrl: string;
  urls: string[];
}

const audiencesByRoute = new WeakMap<Route, Audiences>();

/** This endpoint's URL and the token endpoint's (RFC 7523 §3), once per route and base. */
function assertionEndpointUrls(request: IdpRequest): string[] {
  const known = audiencesByRoute.get(request.route);
  if (known?.base === request.base && known.endpointUrl === request.endpointUrl) return known.urls;
  const tokenEndpoint = endpointUrls(request.route.profile, request.base, request.route.tenant).token;
  const urls =
    tokenEndpoint && tokenEndpoint !== request.endpointUrl
      ? [request.endpointUrl, tokenEndpoint]
      : [request.endpointUrl];
  // Shared by every request of the route: frozen, so no caller can change another's audiences.
  Object.freeze(urls);
  audiencesByRoute.set(request.route, { base: request.base, endpointUrl: request.endpointUrl, urls });
  return urls;
}

export function authenticateCaller(
  request: IdpRequest,
  services: IdpServices,
  accepted: AcceptedCallers = {},
): Promise<Caller> {
  return services.callers.authenticate(
    {
      realm: request.realm,
      authorization: request.headers.authorization,
      form: request.form,
      peer: request.peer,
      endpointUrls: assertionEndpointUrls(request),
    },
    accepted,
  );
}

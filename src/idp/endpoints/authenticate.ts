/**
 * @module idp/endpoints/authenticate
 * The bridge from an endpoint request to caller authentication (`idp/clients`): which `aud` values a client
 * assertion may carry here (the issuer, this endpoint, the token endpoint; RFC 7523 §3 and rfc7523bis) and
 * which kinds of caller the endpoint accepts.
 */
import type { AcceptedCallers } from '../clients/authenticate-caller.ts';
import { endpointUrls } from '../tenants/profiles.ts';
import type { Caller } from '../tokens/types.ts';
import type { IdpRequest, IdpServices } from './types.ts';

export function authenticateCaller(
  request: IdpRequest,
  services: IdpServices,
  accepted: AcceptedCallers = {},
): Promise<Caller> {
  const tokenEndpoint = endpointUrls(request.route.profile, request.base, request.route.tenant).token;
  const urls =
    tokenEndpoint && tokenEndpoint !== request.endpointUrl
      ? [request.endpointUrl, tokenEndpoint]
      : [request.endpointUrl];
  return services.callers.authenticate(
    {
      realm: request.realm,
      authorization: request.headers.authorization,
      form: request.form,
      peer: request.peer,
      endpointUrls: urls,
    },
    accepted,
  );
}

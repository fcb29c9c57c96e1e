/**
 * @module idp/endpoints/jwks
 * The tenant's public signing keys as a JWK Set (RFC 7517 §5), media type `application/jwk-set+json`
 * (§8.5). Retired keys stay in the set until the last token they signed has expired (the key manager
 * decides), so resource servers caching it for a few minutes never miss a key they need.
 */
import type { Handler } from './types.ts';

export const jwks: Handler = async (request, services) => {
  const set = await services.keys.jwks(request.route.tenant);
  return {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify({ keys: set.keys }),
  };
};

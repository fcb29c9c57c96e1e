/**
 * @module idp/endpoints/discovery
 * The authorization server metadata (RFC 8414 §2; also served as OpenID Connect Discovery 1.0 §3) of one
 * tenant under one profile. `issuer` is the identifier the document was requested for (RFC 8414 §3.3).
 * Every `*_auth_methods_supported` member is explicit: `introspection_endpoint_auth_methods_supported` has
 * no default (§2), and it lists `Bearer` (a value from the OAuth Access Token Types registry, which §2
 * allows) for access-token callers. The JWT methods come with their signing algorithms (§2: REQUIRED
 * then), and RFC 9701 §7 `introspection_signing_alg_values_supported` names the signing algorithm of signed
 * introspection answers. `response_types_supported` is REQUIRED by §2: `["code"]` on profiles with browser
 * sign-in (`idp/browser/metadata`), empty on authkit, which has no authorization endpoint.
 */

import { REVOCATION_EVENTS_METADATA } from '../../events/stream-protocol.ts';
import { browserMetadata } from '../browser/metadata.ts';
import { SIGNING_ALGORITHMS } from '../config/schema.ts';
import { streamUrl } from '../events/stream-route.ts';
import { endpointUrls } from '../tenants/profiles.ts';
import { jsonResponse } from './respond.ts';
import type { Handler } from './types.ts';

/** Clients fetch this often; five minutes keeps it fresh enough when clients or scopes change. */
const CACHE_CONTROL = 'public, max-age=300';

export const discovery: Handler = async (request, services) => {
  const { config } = services;
  const urls = endpointUrls(request.route.profile, request.base, request.route.tenant);
  const methods = [
    'client_secret_basic',
    'client_secret_post',
    'private_key_jwt',
    ...(services.tls ? ['tls_client_auth'] : []),
  ];
  const algorithms = [...SIGNING_ALGORITHMS];
  const grants = [
    'client_credentials',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ...(config.legacy.passwordGrant ? ['password'] : []),
  ];
  const clients = await services.store.clients.list(request.route.tenant);
  const scopes = [...new Set(clients.flatMap((client) => client.scopes))].sort();
  const revocation = urls.revoke
    ? {
        revocation_endpoint: urls.revoke,
        revocation_endpoint_auth_methods_supported: methods,
        revocation_endpoint_auth_signing_alg_values_supported: algorithms,
      }
    : {};
  const metadata = {
    issuer: request.realm.issuer,
    token_endpoint: urls.token,
    introspection_endpoint: urls.introspect,
    ...revocation,
    jwks_uri: urls.jwks,
    grant_types_supported: grants,
    response_types_supported: [],
    // RFC 8414 §2: "Claims with zero elements MUST be omitted from the response".
    ...(scopes.length ? { scopes_supported: scopes } : {}),
    token_endpoint_auth_methods_supported: methods,
    token_endpoint_auth_signing_alg_values_supported: algorithms,
    introspection_endpoint_auth_methods_supported: [...methods, 'Bearer'],
    introspection_endpoint_auth_signing_alg_values_supported: algorithms,
    introspection_signing_alg_values_supported: [config.tokens.algorithm],
    // Ours, not registered (RFC 8414 §2 allows more members): the revocation event stream (docs/EVENTS.md).
    ...(config.events.sse.enabled
      ? { [REVOCATION_EVENTS_METADATA]: streamUrl(request.route.profile, request.base, request.route.tenant) }
      : {}),
    // Browser sign-in (authorization endpoint, OIDC) where the profile has it; overrides the members above.
    ...browserMetadata(request.route.profile, request.base, request.route.tenant, {
      grants,
      methods,
      scopes,
      algorithm: config.tokens.algorithm,
    }),
  };
  return jsonResponse(200, metadata, { 'cache-control': CACHE_CONTROL });
};

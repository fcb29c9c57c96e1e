/**
 * @module idp/browser/metadata
 * The discovery members of browser sign-in (OIDC Discovery 1.0 §3, RFC 8414 §2, RFC 9207 §3), merged
 * into a profile's document by `endpoints/discovery`: the authorization, userinfo and end-session
 * endpoints, `response_types_supported: ["code"]` (the only one), PKCE `S256` only, `none` (public
 * clients) among the token endpoint's auth methods, the OIDC scopes and claims, and explicit `false` for
 * request objects (OIDC Discovery: `request_uri_parameter_supported` defaults to true when omitted).
 * A profile without browser endpoints (authkit) gets nothing.
 */
import { browserEndpointUrls, type Profile } from '../tenants/profiles.ts';
import { OIDC_SCOPES } from './scopes.ts';

export interface ProtocolMetadata {
  grants: readonly string[];
  /** `token_endpoint_auth_methods_supported` of the protocol endpoints. */
  methods: readonly string[];
  scopes: readonly string[];
  /** Signing algorithm of the tenant keys (ID tokens). */
  algorithm: string;
}

export const CLAIMS_SUPPORTED = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'azp',
  'at_hash',
  'preferred_username',
  'name',
  'email',
];

export function browserMetadata(
  profile: Profile,
  base: string,
  tenant: string,
  protocol: ProtocolMetadata,
): Record<string, unknown> {
  const urls = browserEndpointUrls(profile, base, tenant);
  if (!urls.authorize) return {};
  return {
    authorization_endpoint: urls.authorize,
    userinfo_endpoint: urls.userinfo,
    end_session_endpoint: urls.logout,
    grant_types_supported: [...protocol.grants, 'authorization_code'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    scopes_supported: [...new Set([...OIDC_SCOPES, ...protocol.scopes])].sort(),
    token_endpoint_auth_methods_supported: [...protocol.methods, 'none'],
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: [protocol.algorithm],
    subject_types_supported: ['public'],
    claims_supported: CLAIMS_SUPPORTED,
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

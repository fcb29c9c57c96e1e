/**
 * @module idp/endpoints/token
 * The token endpoint (RFC 6749 §3.2): authenticates the client (§3.2.1), picks the grant, and answers per
 * §5.1 with `Cache-Control: no-store` and `Pragma: no-cache`. Errors per §5.2: an unknown grant type is
 * `unsupported_grant_type`, a grant the client is not registered for `unauthorized_client`; the password
 * grant does not exist unless `idp.legacy.passwordGrant` is on (RFC 9700 §2.4).
 *
 * go-authkit's test IdP (seed 000: `curl -XPOST -u user:user-pwd …/idp/token`) sends no `grant_type`; on
 * the authkit profile a request authenticated with Basic and without one is a client-credentials request.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import { authorizationCodeGrant } from '../browser/code-grant.ts';
import type { GrantType } from '../model.ts';
import { authenticateCaller } from './authenticate.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { jwtBearerGrant } from './grants/jwt-bearer.ts';
import { passwordGrant } from './grants/password.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import type { Grant } from './grants/types.ts';
import { jsonResponse } from './respond.ts';
import type { Handler } from './types.ts';

const GRANTS: ReadonlyMap<string, Grant> = new Map<GrantType, Grant>([
  ['client_credentials', clientCredentialsGrant],
  ['refresh_token', refreshTokenGrant],
  ['urn:ietf:params:oauth:grant-type:jwt-bearer', jwtBearerGrant],
  ['password', passwordGrant],
  ['authorization_code', authorizationCodeGrant],
]);

/** Grants a public client (auth method `none`) may use: PKCE-bound codes and their refresh tokens. */
const PUBLIC_CLIENT_GRANTS = new Set(['authorization_code', 'refresh_token']);

export const token: Handler = async (request, services) => {
  const caller = await authenticateCaller(request, services, {
    publicClients: PUBLIC_CLIENT_GRANTS.has(request.form.get('grant_type') ?? ''),
  });
  if (caller.kind !== 'client')
    throw oauthError('invalid_client', 'Client authentication failed.', { status: 401 });
  const { client, method } = caller;
  let grantType = request.form.get('grant_type');
  if (grantType === undefined && request.route.profile === 'authkit' && method === 'client_secret_basic') {
    grantType = 'client_credentials';
  }
  if (grantType === undefined) throw oauthError('invalid_request', 'The grant_type parameter is required.');
  const grant = GRANTS.get(grantType);
  if (!grant || (grantType === 'password' && !services.config.legacy.passwordGrant)) {
    throw oauthError('unsupported_grant_type', 'The grant type is not supported.');
  }
  if (!client.grantTypes.includes(grantType as GrantType)) {
    throw oauthError('unauthorized_client', 'The client may not use this grant type.');
  }
  return jsonResponse(200, await grant(request, services, client));
};

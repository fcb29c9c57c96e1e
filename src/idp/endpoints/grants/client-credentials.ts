/**
 * @module idp/endpoints/grants/client-credentials
 * RFC 6749 §4.4: the client asks for a token for itself. `sub` is the client id (RFC 9068 §2.2); the
 * requested scope must be within the client's; no refresh token (§4.4.3: "SHOULD NOT be included").
 */
import { checkScope, parseScope } from '../scope.ts';
import type { Grant } from './types.ts';

export const clientCredentialsGrant: Grant = (request, services, client) =>
  services.tokens.issue({
    realm: request.realm,
    client,
    subject: client.clientId,
    scope: checkScope(parseScope(request.form.get('scope')) ?? [], client),
    withRefreshToken: false,
  });

/**
 * @module idp/endpoints/grants/refresh-token
 * RFC 6749 §6: a new access token for a refresh token, which rotates (RFC 9700 §4.14.2: the token service
 * revokes the whole family when a used refresh token comes back). A `scope` may only narrow the original
 * grant; the token service checks it against what was granted.
 */
import { parseScope } from '../scope.ts';
import { type Grant, requiredParameter } from './types.ts';

export const refreshTokenGrant: Grant = (request, services, client) =>
  services.tokens.refresh(
    request.realm,
    client,
    requiredParameter(request, 'refresh_token'),
    parseScope(request.form.get('scope')),
  );

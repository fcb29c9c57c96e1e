/**
 * @module idp/endpoints/revoke
 * The revocation endpoint (RFC 7009 §2). The client authenticates (§2.1), is rate-limited (§5: DoS
 * countermeasures), and names the `token` (REQUIRED). The token service revokes it when it exists and
 * belongs to the caller (revoking a refresh token revokes its access tokens, §2.1); the answer is 200 with
 * an empty body either way (§2.2: "invalid tokens do not cause an error response", so a caller cannot probe
 * which tokens exist). A `token_type_hint` that finds nothing only widens the search (§2.1); since both
 * access and refresh tokens can be revoked, `unsupported_token_type` never applies.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import { callerKey } from '../clients/caller-identity.ts';
import { authenticateCaller } from './authenticate.ts';
import { NO_STORE } from './respond.ts';
import type { Handler } from './types.ts';

export const revoke: Handler = async (request, services) => {
  const caller = await authenticateCaller(request, services);
  services.rateLimiter.take(callerKey(caller));
  const token = request.form.get('token');
  if (token === undefined) throw oauthError('invalid_request', 'The token parameter is required.');
  await services.tokens.revoke(request.realm, token, request.form.get('token_type_hint'), caller);
  return { status: 200, headers: { ...NO_STORE }, body: '' };
};

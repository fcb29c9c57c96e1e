/**
 * @module idp/endpoints/grants/password
 * RFC 6749 §4.3, the resource owner password credentials grant, only with `idp.legacy.passwordGrant`:
 * RFC 9700 §2.4 says it "MUST NOT be used". §4.3.2 requires protection against brute force: attempts are
 * rate-limited per user name, and a wrong password costs a scrypt run like a right one. Bad credentials
 * are `invalid_grant` (§5.2).
 */
import { oauthError } from '../../../errors/tokenguard-error.ts';
import { verifyPassword } from '../../secrets.ts';
import { checkScope, parseScope } from '../scope.ts';
import { type Grant, requiredParameter } from './types.ts';

export const passwordGrant: Grant = async (request, services, client) => {
  const username = requiredParameter(request, 'username');
  const password = requiredParameter(request, 'password');
  const scope = checkScope(parseScope(request.form.get('scope')) ?? [], client);
  services.rateLimiter.take(`password:${request.realm.tenant}/${username}`);
  const user = await services.store.users.get(request.realm.tenant, username);
  const valid = await verifyPassword(password, user?.passwordHash);
  if (!valid || !user || user.disabled) {
    throw oauthError('invalid_grant', 'The resource owner credentials are invalid.');
  }
  return services.tokens.issue({
    realm: request.realm,
    client,
    subject: user.username,
    user,
    scope,
    withRefreshToken: client.refreshTokenTtl > 0 && client.grantTypes.includes('refresh_token'),
  });
};

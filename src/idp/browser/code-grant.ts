/**
 * @module idp/browser/code-grant
 * The token endpoint's `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6, OIDC Core §3.1.3).
 * The client is already authenticated (a public client by `client_id` alone: the PKCE verifier is its
 * proof). The code must have been sealed by this IdP for this tenant and issuer, be unexpired, issued to
 * this client, for exactly this `redirect_uri`, and the `code_verifier` must hash to its challenge; every
 * mismatch is the same `invalid_grant` (§5.2), the reason logged.
 *
 * Single use (§4.1.2: "MUST NOT use the authorization code more than once"): the code's id goes into the
 * store's replay cache when it is redeemed. A second redemption "SHOULD revoke (when possible) all tokens
 * previously issued based on that authorization code": the tokens of a code form one family named by the
 * code's id, so the replay revokes that family. A replay racing the first redemption leaves a marker the
 * first one checks after issuing, so whichever finishes last revokes.
 *
 * The answer: the access token (the client's format, the user as subject, the user's access policies),
 * a refresh token when the client gets them, and with scope `openid` an ID token.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import { type Grant, requiredParameter } from '../endpoints/grants/types.ts';
import type { TokenResponse } from '../tokens/types.ts';
import { signIdToken } from './id-token.ts';
import { verifyCodeVerifier } from './pkce.ts';

const invalidGrant = () => oauthError('invalid_grant', 'The authorization code is invalid, expired or used.');

export const authorizationCodeGrant: Grant = async (request, services, client) => {
  const { browser, store, logger } = services;
  if (!browser) throw oauthError('unsupported_grant_type', 'The grant type is not supported.');
  const { realm } = request;
  const value = requiredParameter(request, 'code');
  const redirectUri = requiredParameter(request, 'redirect_uri');
  const now = Math.floor(Date.now() / 1000);
  const code = await browser.codes.open(realm.tenant, value, now);
  const mismatch = !code
    ? 'unknown or expired code'
    : code.issuer !== realm.issuer
      ? 'code of another issuer'
      : code.clientId !== client.clientId
        ? 'code of another client'
        : code.redirectUri !== redirectUri
          ? 'redirect_uri differs'
          : !verifyCodeVerifier(request.form.get('code_verifier'), code.codeChallenge)
            ? 'code_verifier does not match'
            : undefined;
  if (mismatch || !code) {
    logger.info({ tenant: realm.tenant, client_id: client.clientId, reason: mismatch }, 'code refused');
    throw invalidGrant();
  }

  const replayed = `code-replayed:${code.jti}`;
  // The tokens of a replayed code go, announced like every revocation so caches drop them at once.
  const revokeIssued = async () => {
    const grant = { ...code, tenant: realm.tenant, familyId: code.jti };
    if (services.revocations) await services.revocations.revokeFamily(grant, now);
    else await store.tokens.revokeFamily(realm.tenant, code.jti, now);
    throw invalidGrant();
  };
  if (!(await store.replay.remember(realm.tenant, `code:${code.jti}`, code.exp))) {
    logger.warn({ tenant: realm.tenant, client_id: client.clientId }, 'authorization code replayed');
    await store.replay.remember(realm.tenant, replayed, code.exp + 60);
    return revokeIssued();
  }

  const user = await store.users.get(realm.tenant, code.subject);
  if (!user || user.disabled) throw invalidGrant();
  const response: TokenResponse & { id_token?: string } = await services.tokens.issue({
    realm,
    client,
    subject: user.username,
    user,
    scope: code.scope,
    withRefreshToken: client.refreshTokenTtl > 0 && client.grantTypes.includes('refresh_token'),
    familyId: code.jti,
  });
  if (code.scope.includes('openid')) {
    response.id_token = await signIdToken(browser.keys, {
      realm,
      clientId: client.clientId,
      subject: user.username,
      authTime: code.authTime,
      nonce: code.nonce,
      accessToken: response.access_token,
      lifetime: client.accessTokenTtl,
      now,
    });
  }
  // A replay that came while the tokens were being issued found no family to revoke yet: revoke it now.
  if (!(await store.replay.remember(realm.tenant, replayed, code.exp + 60))) return revokeIssued();
  return response;
};

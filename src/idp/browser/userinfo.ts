/**
 * @module idp/browser/userinfo
 * The UserInfo endpoint (OIDC Core §5.3): GET or POST with the access token in the `Authorization: Bearer`
 * header (RFC 6750 §2.1; query and form tokens are not accepted: they end up in logs). The token must be a
 * current access token of this issuer, issued to a user (not a client's own token), with scope `openid`.
 * Claims: `sub` and `preferred_username` always; `name` with scope `profile` and `email` with scope
 * `email`, when the user has them (§5.4). Errors per RFC 6750 §3.1 in `WWW-Authenticate`: a missing token
 * gets a bare challenge, a bad one `invalid_token` (401), one without `openid` `insufficient_scope` (403).
 */
import { jsonResponse } from '../endpoints/respond.ts';
import type { IdpResponse } from '../endpoints/types.ts';
import { readClaims } from '../tokens/stored-claims.ts';
import { isCurrent } from '../tokens/token-state.ts';
import type { PageRequest } from './types.ts';

/** RFC 9110 §5.6.4 quoted-string content. */
const quoted = (value: string) => value.replace(/[\\"]/g, '\\$&');

function challenge(page: PageRequest, status: number, error?: string, description?: string): IdpResponse {
  const parts = [`Bearer realm="${quoted(page.realm.issuer)}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${quoted(description)}"`);
  return jsonResponse(status, error ? { error, error_description: description } : {}, {
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'www-authenticate': parts.join(', '),
  });
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

export async function userinfo(page: PageRequest): Promise<IdpResponse> {
  const { services, realm } = page;
  const token = bearerToken(page.request.headers.authorization);
  if (token === undefined) {
    return page.request.headers.authorization === undefined
      ? challenge(page, 401)
      : challenge(page, 400, 'invalid_request', 'The authorization header is malformed.');
  }
  const record = await services.tokens.find(realm, token);
  const username = record && readClaims(record).username;
  const user = username === undefined ? undefined : await services.store.users.get(realm.tenant, username);
  if (
    record?.kind !== 'access' ||
    record.issuer !== realm.issuer ||
    !isCurrent(record, Math.floor(Date.now() / 1000)) ||
    !user ||
    user.disabled
  ) {
    return challenge(page, 401, 'invalid_token', 'The access token is invalid.');
  }
  const scope = new Set(record.scope.split(' '));
  if (!scope.has('openid')) {
    return challenge(page, 403, 'insufficient_scope', 'The access token lacks the openid scope.');
  }
  return jsonResponse(200, {
    sub: user.username,
    preferred_username: user.username,
    ...(scope.has('profile') && user.name ? { name: user.name } : {}),
    ...(scope.has('email') && user.email ? { email: user.email } : {}),
  });
}

/**
 * @module idp/endpoints/introspect
 * The introspection endpoint (RFC 7662 §2). In order:
 *
 * 1. the caller authenticates (§2.1 "MUST require some form of authorization"): a client by any method, a
 *    bearer token with the introspection permission, or a WSO2-style Basic user; failure → 401 (§2.3);
 * 2. its rate limit (§4: against token scanning) → 429 `slow_down` with `Retry-After`;
 * 3. `token` is REQUIRED (§2.1): missing or empty → 400 `invalid_request`, or WSO2's
 *    `{"error":"Invalid input"}` when `idp.introspection.errorStyle` is `wso2` (standard profile only, the
 *    one that imitates WSO2's paths);
 * 4. the token service answers; `token_type_hint` is passed on and never an error (§2.1: the server
 *    searches all types); go-authkit's `scope_filter[i].rn` parameters become the scope filter;
 * 5. JSON (§2.2), or the RFC 9701 signed JWT when `Accept` asks for it, addressed to the caller (`aud`);
 *    both with `Cache-Control: no-store`.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import { callerAudience, callerKey } from '../clients/caller-identity.ts';
import { INTROSPECTION_JWT_TYPE, wantsIntrospectionJwt } from './accept.ts';
import { authenticateCaller } from './authenticate.ts';
import { jsonResponse, NO_STORE } from './respond.ts';
import type { Handler, IdpRequest, IdpResponse, IdpServices } from './types.ts';

const SCOPE_FILTER = /^scope_filter\[(\d{1,3})\]\.rn$/;

/** go-authkit's `scope_filter[0].rn=my_service&scope_filter[1].rn=…`, in index order. */
function scopeFilter(form: ReadonlyMap<string, string>): string[] | undefined {
  const entries: [number, string][] = [];
  for (const [name, value] of form) {
    const match = SCOPE_FILTER.exec(name);
    if (match) entries.push([Number(match[1]), value]);
  }
  return entries.length ? entries.sort(([a], [b]) => a - b).map(([, rn]) => rn) : undefined;
}

function missingToken(request: IdpRequest, services: IdpServices): IdpResponse {
  if (services.config.introspection.errorStyle === 'wso2' && request.route.profile === 'standard') {
    return jsonResponse(400, { error: 'Invalid input' });
  }
  throw oauthError('invalid_request', 'The token parameter is required.');
}

export const introspect: Handler = async (request, services) => {
  const caller = await authenticateCaller(request, services, { bearer: true, users: true });
  services.rateLimiter.take(callerKey(caller));
  const token = request.form.get('token');
  if (token === undefined) return missingToken(request, services);
  const answer = await services.tokens.introspect({
    realm: request.realm,
    token,
    tokenTypeHint: request.form.get('token_type_hint'),
    caller,
    scopeFilter: scopeFilter(request.form),
  });
  if (!wantsIntrospectionJwt(request.headers.accept)) return jsonResponse(200, answer);
  const jwt = await services.signIntrospection({
    realm: request.realm,
    answer,
    audience: callerAudience(caller),
  });
  return { status: 200, headers: { 'content-type': INTROSPECTION_JWT_TYPE, ...NO_STORE }, body: jwt };
};

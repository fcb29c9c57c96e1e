/**
 * @module idp/browser/authorization-request
 * Reading and checking an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1).
 * The order matters (RFC 6749 §4.1.2.1): until the client and its redirect URI are established, an error
 * is shown on a page of the IdP and never redirected, or the endpoint would be an open redirector
 * (RFC 9700 §4.11) or hand errors to an attacker's URI. Once they are, every other error goes back to the
 * client as `error`, `error_description`, `state` and `iss` (RFC 9207) in the redirect URI's query.
 *
 * Parameters are read strictly (`endpoints/form-body`): RFC 6749 §3.1 "MUST NOT be included more than
 * once", so a repeated one makes the whole request invalid (a page: which `client_id` would be meant?).
 * Unknown parameters are ignored (§3.1). The accepted request is serialized again, to travel through the
 * sign-in and consent forms and be checked afresh when they come back.
 */
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { parseForm } from '../endpoints/form-body.ts';
import { parseScope } from '../endpoints/scope.ts';
import type { Client } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import type { Realm } from '../tokens/types.ts';
import { challengeProblem } from './pkce.ts';
import { isRegistered, withParameters } from './redirect-uri.ts';
import { browserScopes } from './scopes.ts';

export type Prompt = 'none' | 'login' | 'consent';

export interface AuthorizationRequest {
  client: Client;
  redirectUri: string;
  state?: string;
  scope: string[];
  nonce?: string;
  codeChallenge: string;
  /** OIDC `prompt` (§3.1.2.1); `select_account` is accepted and ignored (one account per session). */
  prompt: ReadonlySet<Prompt>;
  /** OIDC `max_age`, seconds. */
  maxAge?: number;
  /** The parameters as accepted, form-encoded: the hidden field of the sign-in and consent forms. */
  serialized: string;
}

export type AuthorizationOutcome =
  | { kind: 'valid'; request: AuthorizationRequest }
  /** No trusted redirect URI: shown on a page of the IdP (RFC 6749 §4.1.2.1). */
  | { kind: 'page'; message: string }
  /** An error response to the client (RFC 6749 §4.1.2.1, RFC 9207). */
  | { kind: 'redirect'; location: string };

/** The error response of `request` (a verified redirect URI) to the client. */
export function errorRedirect(
  realm: Realm,
  redirectUri: string,
  state: string | undefined,
  error: string,
  description: string,
): Extract<AuthorizationOutcome, { kind: 'redirect' }> {
  return {
    kind: 'redirect',
    location: withParameters(redirectUri, {
      error,
      error_description: description,
      state,
      iss: realm.issuer,
    }),
  };
}

function parsePrompt(value: string | undefined): Set<Prompt> | undefined {
  const prompt = new Set<Prompt>();
  for (const entry of (value ?? '').split(' ').filter(Boolean)) {
    if (entry === 'select_account') continue;
    if (entry !== 'none' && entry !== 'login' && entry !== 'consent') return undefined;
    prompt.add(entry);
  }
  // §3.1.2.1: "If this parameter contains none with any other value, an error is returned."
  return prompt.has('none') && prompt.size > 1 ? undefined : prompt;
}

/** Reads the authorization request of `parameters` (a query string or form body) for `realm`. */
export async function readAuthorizationRequest(
  store: Pick<IdpStore, 'clients'>,
  realm: Realm,
  parameters: string,
): Promise<AuthorizationOutcome> {
  let form: Map<string, string>;
  try {
    form = parseForm(parameters);
  } catch {
    return { kind: 'page', message: 'The request is malformed: a parameter is repeated or badly encoded.' };
  }
  const clientId = form.get('client_id');
  if (clientId === undefined) return { kind: 'page', message: 'The request names no client (client_id).' };
  const client = await store.clients.get(realm.tenant, clientId);
  if (!client || client.disabled) return { kind: 'page', message: 'The client is unknown.' };
  const redirectUri = form.get('redirect_uri');
  if (redirectUri === undefined) return { kind: 'page', message: 'The request has no redirect_uri.' };
  if (!isRegistered(redirectUri, client.redirectUris)) {
    return { kind: 'page', message: 'The redirect_uri is not registered for this client.' };
  }

  const state = form.get('state');
  const fail = (error: string, description: string) =>
    errorRedirect(realm, redirectUri, state, error, description);
  if (form.has('request')) return fail('request_not_supported', 'Request objects are not supported.');
  if (form.has('request_uri')) return fail('request_uri_not_supported', 'request_uri is not supported.');
  if (!client.grantTypes.includes('authorization_code')) {
    return fail('unauthorized_client', 'The client may not use the authorization code grant.');
  }
  const responseType = form.get('response_type');
  if (responseType === undefined) return fail('invalid_request', 'response_type is required.');
  if (responseType !== 'code')
    return fail('unsupported_response_type', 'Only response_type=code is supported.');
  const responseMode = form.get('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    return fail('invalid_request', 'Only response_mode=query is supported.');
  }
  const codeChallenge = form.get('code_challenge');
  const pkceProblem = challengeProblem(codeChallenge, form.get('code_challenge_method'));
  if (pkceProblem !== undefined || codeChallenge === undefined)
    return fail('invalid_request', pkceProblem ?? '');

  let scope: string[];
  try {
    scope = parseScope(form.get('scope')) ?? [];
  } catch (error) {
    if (!isTokenguardError(error)) throw error;
    return fail('invalid_scope', 'The scope parameter is malformed.');
  }
  const allowed = browserScopes(client);
  if (!scope.every((entry) => allowed.has(entry))) {
    return fail('invalid_scope', 'The requested scope exceeds what the client may have.');
  }
  const prompt = parsePrompt(form.get('prompt'));
  if (!prompt) return fail('invalid_request', 'prompt must be none, login or consent (none alone).');
  const maxAgeText = form.get('max_age');
  if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) {
    return fail('invalid_request', 'max_age must be a number of seconds.');
  }

  return {
    kind: 'valid',
    request: {
      client,
      redirectUri,
      state,
      scope,
      nonce: form.get('nonce'),
      codeChallenge,
      prompt,
      maxAge: maxAgeText === undefined ? undefined : Number(maxAgeText),
      serialized: new URLSearchParams([...form]).toString(),
    },
  };
}

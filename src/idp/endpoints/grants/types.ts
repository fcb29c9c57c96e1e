/**
 * @module idp/endpoints/grants/types
 * One grant type of the token endpoint (RFC 6749 §4, RFC 7523 §2.1): given the authenticated client, it
 * checks its own parameters and asks the token service for tokens.
 */
import { oauthError } from '../../../errors/tokenguard-error.ts';
import type { Client } from '../../model.ts';
import type { TokenResponse } from '../../tokens/types.ts';
import type { IdpRequest, IdpServices } from '../types.ts';

export type Grant = (request: IdpRequest, services: IdpServices, client: Client) => Promise<TokenResponse>;

/** A required parameter of a grant (RFC 6749 §5.2: missing → `invalid_request`). */
export function requiredParameter(request: IdpRequest, name: string): string {
  const value = request.form.get(name);
  if (value === undefined) throw oauthError('invalid_request', `The ${name} parameter is required.`);
  return value;
}

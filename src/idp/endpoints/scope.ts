/**
 * @module idp/endpoints/scope
 * The `scope` request parameter (RFC 6749 §3.3): space-delimited, case-sensitive scope tokens of
 * `%x21 / %x23-5B / %x5D-7E`. A malformed value, or one asking for more than the client may have, is
 * `invalid_scope` (§5.2).
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import type { Client } from '../model.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The scope tokens of a `scope` parameter, without repeats, in order; undefined when absent. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const tokens = value.split(' ').filter((token) => token !== '');
  if (tokens.length === 0 || !tokens.every((token) => SCOPE_TOKEN.test(token))) {
    throw oauthError('invalid_scope', 'The scope parameter is malformed.');
  }
  return [...new Set(tokens)];
}

/** Checks that the client may have every requested scope token. */
export function checkScope(requested: readonly string[], client: Client): string[] {
  const allowed = new Set(client.scopes);
  if (!requested.every((token) => allowed.has(token))) {
    throw oauthError('invalid_scope', 'The requested scope exceeds what the client may have.');
  }
  return [...requested];
}

/**
 * @module idp/browser/scopes
 * The OpenID Connect scopes (OIDC Core §3.1.2.1 `openid`, §5.4 `profile` and `email`) every client with
 * the authorization_code grant may request besides its own `scopes`, and how the consent page names them.
 */
import type { Client } from '../model.ts';

export const OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

/** The scopes `client` may ask a user for. */
export function browserScopes(client: Client): Set<string> {
  return new Set([...OIDC_SCOPES, ...client.scopes]);
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Know who you are (your user id)',
  profile: 'See your user name and full name',
  email: 'See your email address',
};

/** A line of the consent page for one scope: known scopes described, others shown as they are. */
export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? `Use the permission “${scope}”`;
}

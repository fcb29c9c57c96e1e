/**
 * @module test/idp/browser/support
 * What the browser sign-in tests share: an IdP with a first-party confidential client, a third-party
 * public client and two users, and a small cookie-keeping HTTP agent (fetch, redirects not followed) for the
 * tests that speak to the pages without a browser, with helpers that read the forms' hidden fields.
 */
import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import type { IdpConfigInput } from '../../../src/idp/config/schema.ts';
import { createIdp, type Idp } from '../../../src/idp/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

export const ALICE = {
  username: 'alice',
  password: 'alice-password-1',
  name: 'Alice Liddell',
  email: 'alice@example.org',
};
export const BOB = { username: 'bob', password: 'bob-password-1' };
export const PORTAL_SECRET = 'portal-secret-0123456789-0123456789';

/** The clients and users of the browser tests; `overrides` replace top-level keys, its `clients` are added. */
export function browserIdpConfig(
  redirects: { portal: string; spa: string },
  overrides: IdpConfigInput = {},
): IdpConfigInput {
  const { clients: extraClients = [], ...rest } = overrides;
  return {
    port: 0,
    store: 'memory',
    logLevel: 'silent',
    clients: [
      {
        id: 'portal',
        name: 'Company Portal',
        secret: PORTAL_SECRET,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [redirects.portal],
        postLogoutRedirectUris: [`${new URL(redirects.portal).origin}/signed-out`],
        firstParty: true,
        scopes: ['read'],
      },
      {
        id: 'spa',
        name: 'Third-Party Planner',
        public: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [redirects.spa],
        tokenFormat: 'opaque',
      },
      ...extraClients,
    ],
    users: [
      { ...ALICE, policies: [{ rn: 'my_service', role: 'viewer' }] },
      { username: BOB.username, password: BOB.password },
    ],
    ...rest,
  };
}

export function startBrowserIdp(
  redirects: { portal: string; spa: string },
  overrides: IdpConfigInput = {},
): Promise<Idp> {
  return createIdp(browserIdpConfig(redirects, overrides), { logger: silentLogger });
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function pkce(): Promise<Pkce> {
  const verifier = randomPKCECodeVerifier();
  return { verifier, challenge: await calculatePKCECodeChallenge(verifier) };
}

/** The authorization URL of `idp` (standard profile) with `parameters`. */
export function authorizeUrl(idp: Idp, parameters: Record<string, string>): string {
  return `${idp.url}/oauth2/authorize?${new URLSearchParams(parameters)}`;
}

export interface AgentAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** `Location`, when the answer is a redirect. */
  location: string | null;
}

/** A browser without a browser: keeps cookies per name, never follows redirects. */
export class Agent {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<AgentAnswer> {
    return this.#send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<AgentAnswer> {
    return this.#send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  async #send(url: string, init: RequestInit): Promise<AgentAnswer> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (attributes.some((attribute) => /^\s*max-age=0$/i.test(attribute))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
    };
  }
}

/** The value of hidden input `name` in an HTML page (entities decoded), or undefined. */
export function hiddenField(html: string, name: string): string | undefined {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
  return match?.[1]
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#96;', '`')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The text of the page's error message (`role="alert"`), or undefined. */
export function alertText(html: string): string | undefined {
  return /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];
}

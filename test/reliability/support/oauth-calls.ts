/**
 * @module test/reliability/support/oauth-calls
 * The three calls every reliability scenario makes to an IdP (in-process or a child process alike), on a
 * keep-alive undici pool: issue a client-credentials token (Basic), introspect one, revoke one. Each
 * resolves with the status too, since under faults "what did the IdP answer" is the point.
 */
import { Pool } from 'undici';
import { basic } from '../../idp/support/seed-idp.ts';

export interface Credentials {
  readonly id: string;
  readonly secret: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export class OAuthCalls {
  readonly #pool: Pool;
  readonly prefix: string;

  /** Calls to the IdP at `origin`, its standard profile paths below `prefix` (`/t/<tenant>` for a tenant). */
  constructor(origin: string, prefix = '') {
    this.#pool = new Pool(origin, { connections: 16 });
    this.prefix = prefix;
  }

  async #post(
    path: string,
    authorization: string,
    body: string,
  ): Promise<{ status: number; text: string; retryAfter?: string }> {
    const answer = await this.#pool.request({
      method: 'POST',
      path: `${this.prefix}${path}`,
      headers: { ...FORM, authorization },
      body,
    });
    const retryAfter = answer.headers['retry-after'] as string | undefined;
    return { status: answer.statusCode, text: await answer.body.text(), retryAfter };
  }

  /** A client-credentials access token, or the failure as status and body. */
  async issue(
    client: Credentials,
    scope = '',
  ): Promise<{ status: number; token?: string; text: string; retryAfter?: string }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const answer = await this.#post('/oauth2/token', basic(client.id, client.secret), form.toString());
    const token = answer.status === 200 ? (JSON.parse(answer.text).access_token as string) : undefined;
    return { ...answer, token };
  }

  /** The `active` member of the introspection answer, or undefined when the IdP did not answer 200. */
  async introspect(caller: Credentials, token: string): Promise<{ status: number; active?: boolean }> {
    const { status, text } = await this.#post(
      '/oauth2/introspect',
      basic(caller.id, caller.secret),
      new URLSearchParams({ token }).toString(),
    );
    return { status, active: status === 200 ? (JSON.parse(text).active as boolean) : undefined };
  }

  async revoke(client: Credentials, token: string): Promise<number> {
    const { status } = await this.#post(
      '/oauth2/revoke',
      basic(client.id, client.secret),
      `token=${encodeURIComponent(token)}`,
    );
    return status;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/**
 * The `auth` section of a resource server that introspects every token at `origin` (standard profile
 * path) as `caller` with client_secret_basic; `introspection` adds or replaces members of that section.
 */
export function introspectingAt(
  origin: string,
  caller: Credentials,
  introspection: Record<string, unknown> = {},
) {
  return {
    jwt: { enabled: false },
    introspection: {
      endpoint: `${origin}/oauth2/introspect`,
      clientAuth: {
        method: 'client_secret_basic' as const,
        clientId: caller.id,
        clientSecret: caller.secret,
      },
      ...introspection,
    },
  };
}

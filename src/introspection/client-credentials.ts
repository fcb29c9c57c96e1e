/**
 * @module introspection/client-credentials
 * Our own access token for the introspection endpoint, obtained with the client credentials grant
 * (RFC 6749 §4.4) as go-authkit's token provider does (§8 of its inventory): fetched on first use, shared
 * by concurrent callers, kept until shortly before `expires_in` ends, and dropped on request when the IdP
 * refuses it — at most once a minute, so that a misconfigured IdP cannot make us hammer its token endpoint.
 */
import type { MetadataSource } from '../discovery/types.ts';
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import type { HttpClient } from '../util/http-client.ts';
import { discoverEndpoint } from './endpoint.ts';
import { checkStatus, describeUrl, parseJsonObject } from './response.ts';

/** Shortest spacing between two invalidations (go-authkit: at most once per minute). */
export const INVALIDATE_COOLDOWN_MS = 60_000;

/** Lifetime assumed when the token answer has no `expires_in` (only RECOMMENDED by RFC 6749 §5.1). */
export const DEFAULT_TOKEN_LIFETIME_MS = 60_000;

/** A token is renewed this long before it expires (at most a tenth of its life), so it never dies in flight. */
export const REFRESH_MARGIN_MS = 30_000;

/**
 * `error` codes of a 400 token answer (RFC 6749 §5.2) that mean our client or its grant is refused: our
 * misconfiguration, reported as such.
 */
const CREDENTIAL_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_grant',
  'invalid_scope',
  'unsupported_grant_type',
]);

/** `client_secret_basic` (RFC 6749 §2.3.1): id and secret are form-urlencoded (Appendix B), then base64. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** RFC 6750 §2.1 b64token characters; anything else cannot travel in an `Authorization` header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function isBearerToken(value: string): boolean {
  return B64TOKEN.test(value);
}

export interface ClientCredentialsOptions {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** Configured token endpoint; when empty, the `token_endpoint` of `issuerUrl`'s metadata. */
  tokenEndpoint: string;
  issuerUrl: string;
  http: HttpClient;
  metadata: MetadataSource;
  now: () => number;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

export class ClientCredentialsToken {
  readonly #options: ClientCredentialsOptions;
  /** `scope` request parameter: sorted unique scopes, space-separated (RFC 6749 §3.3, go-authkit). */
  readonly scope: string;
  #token: CachedToken | undefined;
  #pending: Promise<string> | undefined;
  #lastInvalidation = Number.NEGATIVE_INFINITY;

  constructor(options: ClientCredentialsOptions) {
    this.#options = options;
    this.scope = [...new Set(options.scopes.filter(Boolean))].sort().join(' ');
  }

  /** Our current access token; concurrent callers during a fetch share that one fetch. */
  get(): Promise<string> {
    const token = this.#token;
    if (token && this.#options.now() < token.refreshAt) return Promise.resolve(token.value);
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Drops the cached token; false (nothing dropped) within the cooldown after the previous drop. */
  invalidate(): boolean {
    const now = this.#options.now();
    if (now - this.#lastInvalidation < INVALIDATE_COOLDOWN_MS) return false;
    this.#lastInvalidation = now;
    this.#token = undefined;
    return true;
  }

  async #fetch(): Promise<string> {
    const { clientId, clientSecret, http, now } = this.#options;
    const url = await this.#tokenEndpoint();
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.scope) body.set('scope', this.scope);
    const requestedAt = now();
    const response = await http.send('token', url, {
      method: 'POST',
      headers: {
        authorization: basicCredentials(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: body.toString(),
    });
    if (response.status === 400) rejectGrant(response.body, url);
    checkStatus(response, url, now());
    const answer = parseJsonObject(response.body, url);
    const value = answer.access_token;
    if (typeof value !== 'string' || !isBearerToken(value)) {
      throw serviceUnavailable(
        'idp_bad_response',
        `token answer of ${describeUrl(url)} has no usable access_token`,
      );
    }
    // RFC 6749 §7.1: a client must not use a token type it does not understand; absent means Bearer here,
    // as go-authkit's test IdP omits it.
    if (answer.token_type !== undefined && String(answer.token_type).toLowerCase() !== 'bearer') {
      throw serviceUnavailable(
        'idp_bad_response',
        `token answer of ${describeUrl(url)} is not a Bearer token`,
      );
    }
    const lifetime = lifetimeMs(answer.expires_in);
    // Counted from before the request: the IdP's clock started no earlier than that.
    this.#token = { value, refreshAt: requestedAt + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 10) };
    return value;
  }

  #tokenEndpoint(): Promise<string> {
    const { tokenEndpoint, issuerUrl, metadata } = this.#options;
    if (tokenEndpoint) return Promise.resolve(tokenEndpoint);
    return discoverEndpoint(metadata, issuerUrl, 'token_endpoint');
  }
}

/** `expires_in` in seconds (RFC 6749 §5.1); some IdPs send it as a string. */
function lifetimeMs(expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? seconds * 1000
    : DEFAULT_TOKEN_LIFETIME_MS;
}

/** A 400 naming one of our credential errors is a refusal of us, not a malformed exchange. */
function rejectGrant(body: string, url: string): void {
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown } | null)?.error;
  } catch {
    return;
  }
  if (typeof error === 'string' && CREDENTIAL_ERRORS.has(error)) {
    throw serviceUnavailable(
      'idp_rejected_our_credentials',
      `POST ${describeUrl(url)} answered 400 ${error}`,
    );
  }
}

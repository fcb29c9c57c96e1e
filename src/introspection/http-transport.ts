/**
 * @module introspection/http-transport
 * RFC 7662 introspection over HTTP: one `POST` of a form-encoded `token` (§2.1) with our credentials, the
 * answer checked by `response.ts` (§2.2, or RFC 9701 §5 when signed answers are asked for). One instance
 * serves one endpoint source: the static endpoint, or one trusted issuer whose metadata names the
 * endpoint (the pipeline creates those lazily).
 */
import { hash } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/schema.ts';
import type { MetadataSource } from '../discovery/types.ts';
import { configInvalid, isTokenguardError } from '../errors/tokenguard-error.ts';
import type { HttpClient, HttpResponse } from '../util/http-client.ts';
import { type ClientAuth, createClientAuth } from './client-auth.ts';
import { type IntrospectionEndpoint, introspectionEndpoint } from './endpoint.ts';
import {
  type ForwardedRequest,
  isForwardableParam,
  isHeaderValue,
  isSendableHeader,
  RESERVED_HEADERS,
} from './request-forwarding.ts';
import {
  checkJwtContentType,
  checkStatus,
  INTROSPECTION_JWT_MEDIA_TYPE,
  parseJsonObject,
  toIntrospectionAnswer,
  verifyJwtAnswer,
} from './response.ts';
import type { IntrospectionAnswer, IntrospectionTransport, IntrospectOptions } from './types.ts';

export interface HttpIntrospectionDeps {
  /** Owned by the caller (it carries the mTLS options of `readTlsOptions`); never closed here. */
  http: HttpClient;
  metadata: MetadataSource;
  /** Key set of an issuer, to verify RFC 9701 answers; required when `accept` is `jwt`. */
  getKeySet?: (issuerUrl: string) => Promise<JWTVerifyGetKey>;
  /** The trusted issuer this instance serves (discovery); defaults to `auth.introspection.issuer`. */
  issuerUrl?: string;
  now?: () => number;
}

/** A request id worth propagating: printable ASCII, bounded. Anything else is dropped, not sent. */
const REQUEST_ID = /^[\x20-\x7e]{1,256}$/;

interface JwtAnswers {
  issuer: string;
  audience: string;
  getKeySet: (issuerUrl: string) => Promise<JWTVerifyGetKey>;
}

export class HttpIntrospectionTransport implements IntrospectionTransport {
  /**
   * `<endpoint-or-issuer>|<client identity>|<scope filter rns>|<digest of hint, accept, params>`, e.g.
   * `https://idp/introspect|client_secret_basic:svc|my_service|Xy3…`. It goes into cache keys: each part can
   * change what the IdP answers (RFC 7662 §2.2: "MAY respond differently to different protected resources").
   */
  readonly id: string;
  readonly #http: HttpClient;
  readonly #endpoint: IntrospectionEndpoint;
  readonly #auth: ClientAuth;
  readonly #now: () => number;
  /** Everything of the form but the token and the credentials, fixed at startup. */
  readonly #form: ReadonlyArray<[string, string]>;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #jwt: JwtAnswers | undefined;

  constructor(config: AuthConfig['introspection'], deps: HttpIntrospectionDeps) {
    const issuerUrl = deps.issuerUrl || config.issuer;
    this.#http = deps.http;
    this.#now = deps.now ?? Date.now;
    this.#endpoint = introspectionEndpoint(config.endpoint, issuerUrl, deps.metadata);
    this.#auth = createClientAuth(config, { ...deps, issuerUrl, now: this.#now });
    this.#form = formParams(config);
    this.#headers = requestHeaders(config, this.#auth);
    this.#jwt = config.accept === 'jwt' ? jwtAnswers(config, issuerUrl, deps.getKeySet) : undefined;
    const rns = [...new Set(config.scopeFilter.map((filter) => filter.rn))].sort().join(',');
    // The hint, the answer format and extra parameters can change the answer too (a `resource` param, say).
    const asked = JSON.stringify([config.tokenTypeHint, config.accept, config.audience, this.#form]);
    this.id = `${this.#endpoint.source}|${this.#auth.identity}|${rns}|${hash('sha256', asked, 'base64url').slice(0, 12)}`;
  }

  async introspect(token: string, options: IntrospectOptions = {}): Promise<IntrospectionAnswer> {
    const url = await this.#endpoint.resolve(options.signal);
    const first = await this.#request(token, url, options);
    try {
      return await this.#process(await this.#send(url, first, options.signal), url);
    } catch (error) {
      const rejected = isTokenguardError(error) && error.reason === 'idp_rejected_our_credentials';
      if (!rejected || !this.#auth.refreshable) throw error;
      // Our access token was refused (expired early, revoked, rotated keys): get another and retry once.
      // When no other one is to be had (the cooldown of `invalidate`), retrying would ask the same question.
      this.#auth.invalidate();
      const second = await this.#request(token, url, options);
      if (second.headers.authorization === first.headers.authorization) throw error;
      return this.#process(await this.#send(url, second, options.signal), url);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #request(token: string, url: string, options: IntrospectOptions) {
    const params = new URLSearchParams([['token', token], ...this.#form]);
    const headers: Record<string, string> = { ...this.#headers };
    if (options.requestId && REQUEST_ID.test(options.requestId)) headers['x-request-id'] = options.requestId;
    if (options.forwarded) addForwarded(options.forwarded, headers, params);
    await this.#auth.apply({ headers, params }, url);
    return { headers, body: params.toString() };
  }

  #send(url: string, request: { headers: Record<string, string>; body: string }, signal?: AbortSignal) {
    return this.#http.send('introspect', url, { method: 'POST', ...request, signal });
  }

  async #process(response: HttpResponse, url: string): Promise<IntrospectionAnswer> {
    const now = this.#now();
    checkStatus(response, url, now);
    if (!this.#jwt) return toIntrospectionAnswer(parseJsonObject(response.body, url), url);
    checkJwtContentType(response, url);
    const { issuer, audience, getKeySet } = this.#jwt;
    const keySet = await getKeySet(issuer);
    return toIntrospectionAnswer(
      await verifyJwtAnswer(response.body, url, { keySet, issuer, audience, now }),
      url,
    );
  }
}

/**
 * Values copied from the client's request (`request-forwarding.ts` chose them). Checked again here, since
 * any caller may pass them: nothing replaces what tokenguard sets, and no header value carries CR or LF.
 */
function addForwarded(
  forwarded: ForwardedRequest,
  headers: Record<string, string>,
  params: URLSearchParams,
): void {
  for (const [name, value] of forwarded.headers) {
    const lower = name.toLowerCase();
    if (isSendableHeader(lower) && !Object.hasOwn(headers, lower) && isHeaderValue(value)) {
      headers[lower] = value;
    }
  }
  for (const [name, value] of forwarded.params) {
    if (isForwardableParam(name)) params.append(name, value);
  }
}

/**
 * The fixed form parameters: `token_type_hint` (RFC 7662 §2.1, when configured), go-authkit's scope
 * filter (`scope_filter[i].rn`, which the form encoding turns into `scope_filter%5Bi%5D.rn`), then the
 * extra `params`.
 */
function formParams(config: AuthConfig['introspection']): Array<[string, string]> {
  const form: Array<[string, string]> = [];
  if (config.tokenTypeHint) form.push(['token_type_hint', config.tokenTypeHint]);
  config.scopeFilter.forEach((filter, index) => {
    form.push([`scope_filter[${index}].rn`, filter.rn]);
  });
  for (const [name, value] of Object.entries(config.params)) {
    if (!isForwardableParam(name)) {
      throw configInvalid(
        `auth.introspection.params.${name}`,
        'is set by tokenguard and cannot be overridden',
      );
    }
    form.push([name, value]);
  }
  return form;
}

/** Extra `headers` (names lower-cased so ours replace theirs), then the content negotiation of RFC 9701 §4. */
function requestHeaders(config: AuthConfig['introspection'], auth: ClientAuth): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) {
    const lower = name.toLowerCase();
    // With no client authentication configured, a custom Authorization header is how some IdPs are called.
    if (RESERVED_HEADERS.has(lower) || (lower === 'authorization' && auth.method !== 'none')) {
      throw configInvalid(
        `auth.introspection.headers.${name}`,
        'is set by tokenguard and cannot be overridden',
      );
    }
    headers[lower] = value;
  }
  headers['content-type'] = 'application/x-www-form-urlencoded';
  headers.accept = config.accept === 'jwt' ? INTROSPECTION_JWT_MEDIA_TYPE : 'application/json';
  return headers;
}

/** RFC 9701 §5 checks need the issuer, our identifier at the IdP, and the issuer's keys. */
function jwtAnswers(
  config: AuthConfig['introspection'],
  issuer: string,
  getKeySet: HttpIntrospectionDeps['getKeySet'],
): JwtAnswers {
  if (!issuer)
    throw configInvalid('auth.introspection.issuer', 'is required to verify signed answers (accept: jwt)');
  const audience = config.audience || config.clientAuth.clientId;
  if (!audience) {
    throw configInvalid('auth.introspection.audience', 'or clientAuth.clientId is required with accept: jwt');
  }
  if (!getKeySet) throw configInvalid('auth.introspection.accept', 'jwt needs a key set source (getKeySet)');
  return { issuer, audience, getKeySet };
}

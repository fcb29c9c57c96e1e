/**
 * @module introspection/request-forwarding
 * Data of the client's request sent along with an introspection call, as Kong does
 * (`introspection_headers_client`, `introspection_post_args_client`, `introspect_request`): chosen client
 * headers, chosen query parameters (as form parameters), and the request's path and method
 * (`X-Request-Path`, `X-Request-Http-Method`). The IdP may answer differently for them, so the values sent
 * are part of the cache key (see `forwardedDigest`): an answer given for one tenant header is never served
 * for another.
 *
 * The pipeline picks the values once per request (`collect`), keys the cache with their digest and hands
 * the same values to the transport, so the key and the call can never disagree. A value that is missing, or
 * that could not travel in a header (CR, LF, other control characters), is simply not sent.
 */
import { hash } from 'node:crypto';
import type { AuthConfig } from '../config/schema.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import type { RequestLike } from '../token/types.ts';

/** A request as the pipeline receives it: `method` is read only for `requestContext`. */
export type ForwardableRequest = RequestLike & { readonly method?: string };

/** The values copied from one client request; header names are lower case. */
export interface ForwardedRequest {
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly params: ReadonlyArray<readonly [string, string]>;
}

/** Form parameters tokenguard sets itself: neither static `params` nor `forwardParams` may name them. */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  'token',
  'token_type_hint',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
]);

/** Headers that describe the introspection request itself: neither `headers` nor `forwardHeaders` may name them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
]);

export const REQUEST_PATH_HEADER = 'x-request-path';
export const REQUEST_METHOD_HEADER = 'x-request-http-method';

/**
 * Headers a request value is never sent under: our credentials go in `authorization` (and the client's
 * holds its token), the request id is propagated already, and hop-by-hop headers would break the call.
 */
const UNSENDABLE_HEADERS: ReadonlySet<string> = new Set([
  ...RESERVED_HEADERS,
  'authorization',
  'x-request-id',
  'connection',
  'keep-alive',
  'te',
  'upgrade',
]);

/** RFC 9110 §5.5 field value characters (undici's own check): no CR, LF, NUL or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** A lower-case header name a request value may be sent under (the context headers included). */
export function isSendableHeader(name: string): boolean {
  return !UNSENDABLE_HEADERS.has(name);
}

/** A lower-case header name `forwardHeaders` may list: sendable, and not one of the context headers. */
function isForwardableHeader(name: string): boolean {
  return isSendableHeader(name) && name !== REQUEST_PATH_HEADER && name !== REQUEST_METHOD_HEADER;
}

/** A form parameter tokenguard does not set itself: static `params` and forwarded values may use it. */
export function isForwardableParam(name: string): boolean {
  return !RESERVED_PARAMS.has(name) && !name.startsWith('scope_filter[');
}

export interface RequestForwarding {
  /** The configured values of one request; with no request, nothing is forwarded. */
  collect(request: ForwardableRequest | undefined): ForwardedRequest;
}

type IntrospectionConfig = AuthConfig['introspection'];

/**
 * The forwarding of `config`, or undefined when nothing is forwarded (the pipeline then keys and calls
 * exactly as without this feature). Names that would override tokenguard's own headers or parameters are
 * configuration errors.
 */
export function createRequestForwarding(
  config: Pick<
    IntrospectionConfig,
    'forwardHeaders' | 'forwardParams' | 'requestContext' | 'headers' | 'params'
  >,
): RequestForwarding | undefined {
  const headers = [...new Set(config.forwardHeaders.map((name) => name.toLowerCase()))];
  const params = [...new Set(config.forwardParams)];
  const context = config.requestContext;
  if (headers.length === 0 && params.length === 0 && !context) return undefined;
  const staticHeaders = new Set(Object.keys(config.headers).map((name) => name.toLowerCase()));
  config.forwardHeaders.forEach((name, index) => {
    const lower = name.toLowerCase();
    if (!isForwardableHeader(lower) || staticHeaders.has(lower)) {
      throw configInvalid(
        `auth.introspection.forwardHeaders.${index}`,
        `${name} is set by tokenguard or by introspection.headers`,
      );
    }
  });
  config.forwardParams.forEach((name, index) => {
    if (!isForwardableParam(name) || Object.hasOwn(config.params, name)) {
      throw configInvalid(
        `auth.introspection.forwardParams.${index}`,
        `${name} is set by tokenguard or by introspection.params`,
      );
    }
  });
  return {
    collect(request) {
      if (request === undefined) return { headers: [], params: [] };
      const sentHeaders: Array<[string, string]> = [];
      for (const name of headers) {
        const value = headerValue(request.headers[name]);
        if (value !== undefined) sentHeaders.push([name, value]);
      }
      const url = request.url ?? '';
      const query = url.indexOf('?');
      const sentParams: Array<[string, string]> = [];
      if (params.length > 0 && query !== -1) {
        const search = new URLSearchParams(url.slice(query + 1));
        for (const name of params) {
          for (const value of search.getAll(name)) sentParams.push([name, value]);
        }
      }
      if (context) {
        // Kong sends the path without the query string, as received (not normalized).
        const path = query === -1 ? url : url.slice(0, query);
        if (path !== '' && isHeaderValue(path)) sentHeaders.push([REQUEST_PATH_HEADER, path]);
        const method = request.method;
        if (typeof method === 'string' && method !== '' && isHeaderValue(method)) {
          sentHeaders.push([REQUEST_METHOD_HEADER, method]);
        }
      }
      return { headers: sentHeaders, params: sentParams };
    },
  };
}

/** One header's value, repeated values joined as a list (RFC 9110 §5.3); undefined when it cannot be sent. */
function headerValue(raw: string | string[] | undefined): string | undefined {
  const value = Array.isArray(raw) ? (raw.length > 0 ? raw.join(', ') : undefined) : raw;
  return value !== undefined && isHeaderValue(value) ? value : undefined;
}

/**
 * SHA-256 (base64url) of the forwarded values, names included, in the order they are sent: the last part of
 * the cache key of an answer obtained with them.
 */
export function forwardedDigest(forwarded: ForwardedRequest): string {
  return hash('sha256', JSON.stringify([forwarded.headers, forwarded.params]), 'base64url');
}

/**
 * @module idp/endpoints/respond
 * Building answers. Token, introspection and revocation answers carry `Cache-Control: no-store` and
 * `Pragma: no-cache` (RFC 6749 §5.1; RFC 7662 §2.2 answers are as sensitive). Errors are rendered per
 * RFC 6749 §5.2 (`{"error","error_description"}`); anything that is not a TokenguardError is a bug and
 * becomes a generic 500 `server_error`, never a stack trace.
 */
import { isTokenguardError, oauthError, type TokenguardError } from '../../errors/tokenguard-error.ts';
import type { IdpResponse } from './types.ts';

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** A JSON answer; its caching headers default to the no-store pair. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = NO_STORE,
): IdpResponse {
  return {
    status,
    // The common case as a literal: no spread of the default pair on every answer.
    headers:
      headers === NO_STORE
        ? { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' }
        : { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The RFC 6749 §5.2 answer of a TokenguardError, with its extra headers (challenges, Retry-After). */
export function oauthErrorResponse(error: TokenguardError, realm: string): IdpResponse {
  return {
    status: error.httpStatus,
    headers: { ...error.responseHeaders(realm), pragma: 'no-cache', ...error.headers },
    body: error.toOAuthBody(),
  };
}

/** Whether `error` is one of the IdP's protocol errors (snake_case OAuth codes), safe to show as it is. */
export function isProtocolError(error: unknown): error is TokenguardError {
  return isTokenguardError(error) && /^[a-z_]+$/.test(error.code);
}

/**
 * The answer for any thrown value: protocol errors as they are; a store or key service that is unavailable
 * is a 503 with `Retry-After`; everything else a generic 500 whose body says nothing about the cause.
 */
export function errorResponse(error: unknown, realm: string): IdpResponse {
  if (isProtocolError(error)) return oauthErrorResponse(error, realm);
  const unavailable = isTokenguardError(error) && error.code === 'serviceUnavailable';
  return oauthErrorResponse(
    oauthError('server_error', 'The server failed to handle the request.', {
      status: unavailable ? 503 : 500,
      headers: unavailable ? { 'retry-after': String(error.retryAfter ?? 5) } : undefined,
    }),
    realm,
  );
}

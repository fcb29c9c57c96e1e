/**
 * @module errors/tokenguard-error
 * The one error type of tokenguard. Every failure that can reach a caller is a `TokenguardError` with a
 * stable public `code` (the go-authkit / seed 000 vocabulary), a finer `reason` for logs and metrics, the
 * HTTP and gRPC statuses it maps to, and the RFC 6750 §3 `WWW-Authenticate` challenge it produces.
 * Adapters translate it; nothing else invents errors.
 */

/** Error codes of the authorization server (RFC 6749 §5.2, RFC 7009 §2.2.1), rendered as OAuth bodies. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'slow_down'
  | 'not_found'
  | 'method_not_allowed'
  | 'server_error';

/**
 * Public error codes: these appear in response bodies and are stable. The resource-server vocabulary of
 * seed 000 (camelCase), and the OAuth vocabulary of the IdP (snake_case, RFC 6749 §5.2).
 */
export type ErrorCode =
  | 'bearerTokenMissing'
  | 'invalidRequest'
  | 'authenticationFailed'
  | 'authorizationFailed'
  | 'serviceUnavailable'
  | 'configInvalid'
  // the gateway's own answers (no route, upstream failures, request limits)
  | 'routeNotFound'
  | 'upstreamUnavailable'
  | 'upstreamTimeout'
  | 'requestTooLarge'
  | 'headersTooLarge'
  | OAuthErrorCode;

/**
 * Why a request failed, in more detail than the public code. Logged (`error_reason`) and counted in
 * metrics, never sent in a response body, so that a client cannot probe which check it tripped.
 */
export type ErrorReason =
  // token extraction (RFC 6750 §2)
  | 'token_missing'
  | 'token_in_several_places'
  | 'token_malformed'
  // local JWT verification
  | 'jwt_malformed'
  | 'jwt_expired'
  | 'jwt_not_yet_valid'
  | 'jwt_issued_in_future'
  | 'jwt_exp_missing'
  | 'jwt_signature_invalid'
  | 'jwt_algorithm_not_allowed'
  | 'jwt_type_invalid'
  | 'jwt_issuer_missing'
  | 'jwt_issuer_untrusted'
  | 'jwt_audience_invalid'
  | 'jwt_claim_invalid'
  | 'jwks_no_matching_key'
  | 'jwks_unavailable'
  // introspection
  | 'token_inactive'
  | 'token_not_introspectable'
  | 'introspection_claims_invalid'
  | 'idp_unreachable'
  | 'idp_timeout'
  | 'idp_throttled'
  | 'idp_unavailable'
  | 'idp_rejected_our_credentials'
  | 'idp_bad_response'
  | 'discovery_failed'
  | 'internal_error'
  // authorization
  | 'insufficient_scope'
  | 'access_denied'
  // configuration
  | 'config_invalid'
  // the IdP's own database (PostgreSQL) cannot serve: the IdP answers 503
  | 'store_unavailable'
  // gateway
  | 'route_not_found'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_bad_response'
  | 'body_too_large'
  | 'headers_too_large'
  | 'request_target_invalid'
  // the IdP's protocol errors (the code says which)
  | 'oauth';

/** Default messages; the first four are the wording of seed 000 / go-authkit's examples. */
export const DEFAULT_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  bearerTokenMissing: 'Authorization bearer token is missing.',
  authenticationFailed: 'Authentication is failed.',
  authorizationFailed: 'Authorization is failed.',
  serviceUnavailable: 'Service temporarily unavailable.',
  invalidRequest: 'The request is malformed.',
  configInvalid: 'The configuration is invalid.',
  routeNotFound: 'No route matches the request.',
  upstreamUnavailable: 'The upstream service is unavailable.',
  upstreamTimeout: 'The upstream service did not answer in time.',
  requestTooLarge: 'The request body is too large.',
  headersTooLarge: 'The request headers are too large.',
  invalid_request: 'The request is missing a parameter or is malformed.',
  invalid_client: 'Client authentication failed.',
  invalid_grant: 'The grant is invalid, expired or revoked.',
  unauthorized_client: 'The client may not use this grant type.',
  unsupported_grant_type: 'The grant type is not supported.',
  invalid_scope: 'The requested scope is invalid or exceeds what the client may have.',
  unsupported_token_type: 'The token type is not supported.',
  access_denied: 'Access denied.',
  slow_down: 'Too many requests.',
  not_found: 'Not found.',
  method_not_allowed: 'Method not allowed.',
  server_error: 'The server failed to handle the request.',
};

const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  bearerTokenMissing: 401,
  invalidRequest: 400,
  authenticationFailed: 401,
  authorizationFailed: 403,
  serviceUnavailable: 503,
  configInvalid: 500,
  routeNotFound: 404,
  upstreamUnavailable: 502,
  upstreamTimeout: 504,
  requestTooLarge: 413,
  headersTooLarge: 431,
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  access_denied: 403,
  slow_down: 429,
  not_found: 404,
  method_not_allowed: 405,
  server_error: 500,
};

/** gRPC status codes (grpc/status.proto numbers), so that no gRPC package is needed to map them. */
export const GRPC_STATUS = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const GRPC_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  bearerTokenMissing: GRPC_STATUS.UNAUTHENTICATED,
  invalidRequest: GRPC_STATUS.INVALID_ARGUMENT,
  authenticationFailed: GRPC_STATUS.UNAUTHENTICATED,
  authorizationFailed: GRPC_STATUS.PERMISSION_DENIED,
  serviceUnavailable: GRPC_STATUS.UNAVAILABLE,
  configInvalid: GRPC_STATUS.INTERNAL,
  routeNotFound: GRPC_STATUS.NOT_FOUND,
  upstreamUnavailable: GRPC_STATUS.UNAVAILABLE,
  upstreamTimeout: GRPC_STATUS.UNAVAILABLE,
  requestTooLarge: GRPC_STATUS.RESOURCE_EXHAUSTED,
  headersTooLarge: GRPC_STATUS.RESOURCE_EXHAUSTED,
  invalid_request: GRPC_STATUS.INVALID_ARGUMENT,
  invalid_client: GRPC_STATUS.UNAUTHENTICATED,
  invalid_grant: GRPC_STATUS.INVALID_ARGUMENT,
  unauthorized_client: GRPC_STATUS.PERMISSION_DENIED,
  unsupported_grant_type: GRPC_STATUS.INVALID_ARGUMENT,
  invalid_scope: GRPC_STATUS.INVALID_ARGUMENT,
  unsupported_token_type: GRPC_STATUS.INVALID_ARGUMENT,
  access_denied: GRPC_STATUS.PERMISSION_DENIED,
  slow_down: GRPC_STATUS.RESOURCE_EXHAUSTED,
  not_found: GRPC_STATUS.NOT_FOUND,
  method_not_allowed: GRPC_STATUS.INVALID_ARGUMENT,
  server_error: GRPC_STATUS.INTERNAL,
};

export interface TokenguardErrorOptions {
  /** Detail kept for logs; never a token or a secret. */
  detail?: string;
  /** Seconds a client should wait (503); becomes `Retry-After`. */
  retryAfter?: number;
  /** Scopes that were required (403), for the `insufficient_scope` challenge (RFC 6750 §3.1). */
  requiredScopes?: readonly string[];
  /** Config key path, for `configInvalid`. */
  path?: string;
  /** Extra response headers (an IdP's `WWW-Authenticate: Basic …` on invalid_client, RFC 6749 §5.2). */
  headers?: Record<string, string>;
  /** HTTP status overriding the code's own (RFC 7662 §2.3: 401 for a bad caller). */
  status?: number;
  cause?: unknown;
}

/** Default `Retry-After` (seconds) when the IdP gave none. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export class TokenguardError extends Error {
  override readonly name = 'TokenguardError';
  readonly code: ErrorCode;
  readonly reason: ErrorReason;
  readonly detail: string | undefined;
  readonly retryAfter: number | undefined;
  readonly requiredScopes: readonly string[] | undefined;
  readonly path: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly #status: number | undefined;

  constructor(code: ErrorCode, reason: ErrorReason, options: TokenguardErrorOptions = {}) {
    super(describe(code, reason, options.detail), { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.detail = options.detail;
    this.retryAfter =
      code === 'serviceUnavailable'
        ? (options.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS)
        : options.retryAfter;
    this.requiredScopes = options.requiredScopes;
    this.path = options.path;
    this.headers = options.headers ?? {};
    this.#status = options.status;
  }

  get httpStatus(): number {
    return this.#status ?? HTTP_STATUS[this.code];
  }

  get grpcStatus(): number {
    return GRPC_STATUS_OF[this.code];
  }

  /**
   * The `WWW-Authenticate` value (RFC 6750 §3), or undefined where none belongs (503, 500).
   * A request without credentials gets no `error` attribute (§3.1: "SHOULD NOT include an error code").
   */
  challenge(realm: string): string | undefined {
    const head = `Bearer realm="${quote(realm)}"`;
    switch (this.code) {
      case 'bearerTokenMissing':
        return head;
      case 'invalidRequest':
        return `${head}, error="invalid_request"`;
      case 'authenticationFailed':
        return `${head}, error="invalid_token"`;
      case 'authorizationFailed':
        return this.requiredScopes?.length
          ? `${head}, error="insufficient_scope", scope="${quote(this.requiredScopes.join(' '))}"`
          : `${head}, error="insufficient_scope"`;
      default:
        return undefined;
    }
  }

  /** The response body of seed 000: `{"error":{"domain","code","message"}}`. */
  toBody(domain: string, messages?: Partial<Record<ErrorCode, string>>): string {
    return JSON.stringify({
      error: { domain, code: this.code, message: messages?.[this.code] ?? DEFAULT_MESSAGES[this.code] },
    });
  }

  /** The RFC 6749 §5.2 body of the IdP: `{"error","error_description"}` (the detail, or the default text). */
  toOAuthBody(): string {
    return JSON.stringify({
      error: this.code,
      error_description: this.detail ?? DEFAULT_MESSAGES[this.code],
    });
  }

  /** Headers of the error response (challenge, Retry-After, no caching of auth failures). */
  responseHeaders(realm: string): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    };
    const challenge = this.challenge(realm);
    if (challenge) headers['www-authenticate'] = challenge;
    if (this.retryAfter !== undefined && (this.code === 'serviceUnavailable' || this.code === 'slow_down')) {
      headers['retry-after'] = String(this.retryAfter);
    }
    return headers;
  }
}

function describe(code: ErrorCode, reason: ErrorReason, detail: string | undefined): string {
  if (code === 'configInvalid') return `Invalid configuration: ${detail ?? reason}`;
  return detail ? `${DEFAULT_MESSAGES[code]} (${reason}: ${detail})` : DEFAULT_MESSAGES[code];
}

/** Quoted-string content (RFC 9110 §5.6.4): escape backslash and double quote, drop control characters. */
function quote(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, '');
}

export function isTokenguardError(error: unknown): error is TokenguardError {
  return error instanceof TokenguardError;
}

/** Shorthands used across the pipeline. */
export const authenticationFailed = (reason: ErrorReason, detail?: string, cause?: unknown) =>
  new TokenguardError('authenticationFailed', reason, { detail, cause });

export const serviceUnavailable = (
  reason: ErrorReason,
  detail?: string,
  retryAfter?: number,
  cause?: unknown,
) => new TokenguardError('serviceUnavailable', reason, { detail, retryAfter, cause });

/** An error of the IdP's protocol (RFC 6749 §5.2); `description` becomes `error_description`. */
export const oauthError = (
  code: OAuthErrorCode,
  description: string,
  options: Omit<TokenguardErrorOptions, 'detail'> = {},
) => new TokenguardError(code, 'oauth', { ...options, detail: description });

export const configInvalid = (path: string, detail: string) =>
  new TokenguardError('configInvalid', 'config_invalid', { path, detail: `${path}: ${detail}` });

/**
 * @module adapters/respond
 * What every adapter does with a failure: one TokenguardError → status, headers (RFC 6750 challenge,
 * Retry-After) and the JSON body of seed 000, plus the `error in response` log line (codes only, never
 * the token). Adapters stay thin by calling this.
 */
import type { TokenguardError } from '../errors/tokenguard-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  error: TokenguardError;
}

export function errorResponse(
  authenticator: Authenticator,
  failure: unknown,
  logger?: Logger,
  requestId = '',
): ErrorResponse {
  const error = authenticator.toError(failure);
  const { errorDomain, realm, messages } = authenticator.config;
  const body = error.toBody(errorDomain, messages);
  logger?.error(
    {
      request_id: requestId,
      int_request_id: '',
      trace_id: '',
      error_code: error.code,
      error_message: messages[error.code as keyof typeof messages] ?? error.message.split(' (')[0],
      error_reason: error.reason,
      ...(error.detail ? { error_detail: error.detail } : {}),
    },
    'error in response',
  );
  return { status: error.httpStatus, headers: error.responseHeaders(realm || errorDomain), body, error };
}

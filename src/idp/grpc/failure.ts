/**
 * @module idp/grpc/failure
 * The gRPC status a failed call is answered with. The IdP's protocol errors keep their meaning through
 * their own gRPC mapping (`TokenguardError.grpcStatus`): a refused caller is Unauthenticated, the rate
 * limit ResourceExhausted, a missing field or a bad assertion InvalidArgument, a client not registered for
 * the grant PermissionDenied; their descriptions are the ones HTTP answers show, safe to send. Anything else
 * (the store, the keys, a bug) is Unavailable with a generic text: the client may retry or fall back to
 * HTTP, and the cause goes to the log only.
 */
import { DEFAULT_MESSAGES, GRPC_STATUS, isTokenguardError } from '../../errors/tokenguard-error.ts';
import { isProtocolError } from '../endpoints/respond.ts';

export interface CallFailure {
  code: number;
  details: string;
  /** Seconds, for the `retry-after` metadata (rate limit, an IdP reporting itself unavailable). */
  retryAfter?: number;
  /** Not one of the IdP's protocol errors: worth an error log line. */
  unexpected: boolean;
}

export function callFailure(error: unknown): CallFailure {
  if (isProtocolError(error) && error.code !== 'server_error') {
    return {
      code: error.grpcStatus,
      details: error.detail ?? DEFAULT_MESSAGES[error.code],
      retryAfter: error.code === 'slow_down' ? error.retryAfter : undefined,
      unexpected: false,
    };
  }
  const unavailable = isTokenguardError(error) && error.code === 'serviceUnavailable';
  return {
    code: GRPC_STATUS.UNAVAILABLE,
    details: DEFAULT_MESSAGES.server_error,
    retryAfter: unavailable ? error.retryAfter : undefined,
    unexpected: true,
  };
}

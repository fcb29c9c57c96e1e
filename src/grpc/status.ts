/**
 * @module grpc/status
 * What a failed gRPC call to the IdP means, in the terms of the HTTP transport (go-authkit §7): the
 * `serviceUnavailable` error of the right reason, with the server's `retry-after` when it sent one, and
 * whether the static HTTP endpoint may be asked instead (go-authkit §6, "gRPC introspection and fallback").
 */
import type { Metadata, ServiceError } from '@grpc/grpc-js';
import {
  type ErrorReason,
  GRPC_STATUS,
  serviceUnavailable,
  type TokenguardError,
} from '../errors/tokenguard-error.ts';
import { parseRetryAfter } from '../util/http-client.ts';
import { METADATA } from './messages.ts';

/** grpc/status.proto numbers that `GRPC_STATUS` does not list. */
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;

/**
 * Unauthenticated / PermissionDenied: the IdP refused *our* credentials, a misconfiguration of ours (never
 * the caller's fault, so 503 and not 401). The time running out (our deadline, or our caller giving up) is
 * a timeout. Every other code (Unavailable, Internal, Unknown, Unimplemented, …) is an IdP not answering.
 */
const REASONS: Readonly<Record<number, ErrorReason>> = {
  [GRPC_STATUS.UNAUTHENTICATED]: 'idp_rejected_our_credentials',
  [GRPC_STATUS.PERMISSION_DENIED]: 'idp_rejected_our_credentials',
  [GRPC_STATUS.RESOURCE_EXHAUSTED]: 'idp_throttled',
  [GRPC_STATUS.UNAVAILABLE]: 'idp_unavailable',
  [DEADLINE_EXCEEDED]: 'idp_timeout',
  [CANCELLED]: 'idp_timeout',
};

/** Longest part of the status message kept in an error detail. */
const MAX_DETAILS = 300;

/**
 * grpc-js' message is "<code> <NAME>: <details>". The details of a connection failure name its cause
 * (refused, certificate expired, unknown CA), which is what an operator needs to read, but behind nested
 * "No connection established. Last error: " prefixes and an empty resolution note, dropped here.
 */
function describe(error: ServiceError): string {
  return error.message
    .replace(/(No connection established\. Last error: )+/g, '')
    .replace(/\. Resolution note:\s*$/, '')
    .replace(/\s+/g, ' ')
    .slice(0, MAX_DETAILS);
}

function retryAfterOf(metadata: Metadata | undefined, now: number): number | undefined {
  const value = metadata?.get(METADATA.retryAfter)[0];
  return typeof value === 'string' ? parseRetryAfter(value, now) : undefined;
}

/**
 * The error a failed call stands for. `source` names the server (`gRPC 127.0.0.1:50051`). `retry-after`
 * is read from the header metadata first (where go-authkit looks), then from the trailers (where a
 * trailers-only error answer carries it).
 */
export function callError(
  error: ServiceError,
  header: Metadata | undefined,
  source: string,
  now: number,
): TokenguardError {
  const reason = REASONS[error.code] ?? 'idp_unavailable';
  const retryAfter =
    reason === 'idp_throttled' || reason === 'idp_unavailable'
      ? (retryAfterOf(header, now) ?? retryAfterOf(error.metadata, now))
      : undefined;
  return serviceUnavailable(reason, `${source} answered ${describe(error)}`, retryAfter, error);
}

/** Reasons after which asking the HTTP endpoint instead would be wrong (go-authkit §6). */
const NO_FALLBACK: ReadonlySet<ErrorReason> = new Set([
  // The same IdP refuses us there too; answering from elsewhere would hide the misconfiguration.
  'idp_rejected_our_credentials',
  // The IdP asked for less traffic, not for the same traffic on another port.
  'idp_throttled',
  // The caller's time is up; a second round trip would answer nobody.
  'idp_timeout',
]);

/** Whether a failed gRPC introspection may be retried on the static HTTP endpoint. */
export function allowsFallback(error: TokenguardError): boolean {
  return !NO_FALLBACK.has(error.reason);
}

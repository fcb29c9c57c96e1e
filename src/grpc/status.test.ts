/**
 * @module grpc/status.test
 * gRPC status codes of the IdP → the reasons of the HTTP transport, `retry-after` from header or trailing
 * metadata, readable connection failures, and which failures may fall back to HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import { allowsFallback, callError } from './status.ts';

const SOURCE = 'gRPC 127.0.0.1:50051';
const NOW = Date.UTC(2030, 0, 1);

function metadata(entries: Record<string, string> = {}): Metadata {
  const result = new Metadata();
  for (const [key, value] of Object.entries(entries)) result.set(key, value);
  return result;
}

/** A ServiceError as grpc-js makes them: message "<code> <NAME>: <details>". */
function failed(code: status, details: string, trailers = metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: trailers,
  });
}

describe('callError', () => {
  const table: Array<[status, string]> = [
    [status.UNAUTHENTICATED, 'idp_rejected_our_credentials'],
    [status.PERMISSION_DENIED, 'idp_rejected_our_credentials'],
    [status.RESOURCE_EXHAUSTED, 'idp_throttled'],
    [status.UNAVAILABLE, 'idp_unavailable'],
    [status.DEADLINE_EXCEEDED, 'idp_timeout'],
    [status.CANCELLED, 'idp_timeout'],
    [status.INTERNAL, 'idp_unavailable'],
    [status.UNKNOWN, 'idp_unavailable'],
    [status.UNIMPLEMENTED, 'idp_unavailable'],
    [status.INVALID_ARGUMENT, 'idp_unavailable'],
  ];
  for (const [code, reason] of table) {
    it(`maps ${status[code]} to a 503 ${reason}`, () => {
      const error = callError(failed(code, 'why'), undefined, SOURCE, NOW);
      assert.equal(error.code, 'serviceUnavailable');
      assert.equal(error.httpStatus, 503);
      assert.equal(error.reason, reason);
      assert.equal(error.detail, `${SOURCE} answered ${code} ${status[code]}: why`);
    });
  }

  it('reads retry-after from the header metadata first, then from the trailers', () => {
    const throttled = failed(status.RESOURCE_EXHAUSTED, 'slow down', metadata({ 'retry-after': '30' }));
    assert.equal(callError(throttled, metadata({ 'retry-after': '7' }), SOURCE, NOW).retryAfter, 7);
    assert.equal(callError(throttled, metadata(), SOURCE, NOW).retryAfter, 30);
    const unavailable = failed(status.UNAVAILABLE, 'draining', metadata({ 'retry-after': '12' }));
    assert.equal(callError(unavailable, undefined, SOURCE, NOW).retryAfter, 12);
  });

  it('takes an HTTP date in retry-after, and defaults to 5 s when there is none', () => {
    const date = new Date(NOW + 9000).toUTCString();
    const throttled = failed(status.RESOURCE_EXHAUSTED, 'slow down');
    assert.equal(callError(throttled, metadata({ 'retry-after': date }), SOURCE, NOW).retryAfter, 9);
    assert.equal(callError(throttled, undefined, SOURCE, NOW).retryAfter, 5);
  });

  it('ignores retry-after on answers that are not about load', () => {
    const rejected = failed(status.UNAUTHENTICATED, 'no', metadata({ 'retry-after': '60' }));
    assert.equal(callError(rejected, undefined, SOURCE, NOW).retryAfter, 5);
  });

  it('keeps the cause of a connection failure readable', () => {
    const details =
      'round_robin: No connection established. Last error: No connection established. Last error: ' +
      'Error: certificate has expired. Resolution note: ';
    const error = callError(failed(status.UNAVAILABLE, details), undefined, SOURCE, NOW);
    assert.equal(
      error.detail,
      `${SOURCE} answered 14 UNAVAILABLE: round_robin: Error: certificate has expired`,
    );
  });

  it('bounds the length of a server message', () => {
    const error = callError(failed(status.INTERNAL, 'x'.repeat(5000)), undefined, SOURCE, NOW);
    assert.ok((error.detail ?? '').length < 400);
  });
});

describe('allowsFallback', () => {
  it('falls back when the server is down or broken, not when it refused us, throttled us or time ran out', () => {
    const allowed = ['idp_unavailable', 'idp_unreachable', 'idp_bad_response'] as const;
    const refused = ['idp_rejected_our_credentials', 'idp_throttled', 'idp_timeout'] as const;
    for (const reason of allowed) assert.equal(allowsFallback(serviceUnavailable(reason)), true, reason);
    for (const reason of refused) assert.equal(allowsFallback(serviceUnavailable(reason)), false, reason);
  });
});

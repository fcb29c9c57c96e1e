/**
 * @module test/support/assertions
 * Assertions the test suites of several modules share.
 */
import assert from 'node:assert/strict';
import { type ErrorCode, type ErrorReason, TokenguardError } from '../../src/errors/tokenguard-error.ts';

/**
 * Awaits `promise`, expecting it to reject with a `TokenguardError` of `code` and `reason`, and returns the
 * error for further checks.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  reason: ErrorReason,
): Promise<TokenguardError> {
  const error = await promise.then(
    () => assert.fail(`expected a rejection with ${code}/${reason}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof TokenguardError, `expected a TokenguardError, got ${String(error)}`);
  assert.equal(error.code, code, `code of ${error.message}`);
  assert.equal(error.reason, reason, `reason of ${error.message}`);
  return error;
}

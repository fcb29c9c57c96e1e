import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configInvalid, GRPC_STATUS, serviceUnavailable, TokenguardError } from './tokenguard-error.ts';

describe('TokenguardError', () => {
  it('maps each code to its HTTP status, gRPC status and RFC 6750 challenge', () => {
    const table = [
      ['bearerTokenMissing', 401, GRPC_STATUS.UNAUTHENTICATED, 'Bearer realm="api"'],
      ['invalidRequest', 400, GRPC_STATUS.INVALID_ARGUMENT, 'Bearer realm="api", error="invalid_request"'],
      ['authenticationFailed', 401, GRPC_STATUS.UNAUTHENTICATED, 'Bearer realm="api", error="invalid_token"'],
      [
        'authorizationFailed',
        403,
        GRPC_STATUS.PERMISSION_DENIED,
        'Bearer realm="api", error="insufficient_scope"',
      ],
      ['serviceUnavailable', 503, GRPC_STATUS.UNAVAILABLE, undefined],
    ] as const;
    for (const [code, http, grpc, challenge] of table) {
      const error = new TokenguardError(code, 'token_missing');
      assert.equal(error.httpStatus, http, code);
      assert.equal(error.grpcStatus, grpc, code);
      assert.equal(error.challenge('api'), challenge, code);
    }
  });

  it('writes the body of seed 000, with overridable messages', () => {
    const error = new TokenguardError('bearerTokenMissing', 'token_missing');
    assert.equal(
      error.toBody('MyService'),
      '{"error":{"domain":"MyService","code":"bearerTokenMissing","message":"Authorization bearer token is missing."}}',
    );
    assert.equal(
      new TokenguardError('authorizationFailed', 'access_denied').toBody('MyService', {
        authorizationFailed: 'No.',
      }),
      '{"error":{"domain":"MyService","code":"authorizationFailed","message":"No."}}',
    );
  });

  it('names the required scopes in the insufficient_scope challenge and escapes quoted strings', () => {
    const error = new TokenguardError('authorizationFailed', 'insufficient_scope', {
      requiredScopes: ['read', 'write'],
    });
    assert.equal(
      error.challenge('a"b\\c\r\n'),
      'Bearer realm="a\\"b\\\\c", error="insufficient_scope", scope="read write"',
    );
  });

  it('always gives a 503 a Retry-After, and no challenge', () => {
    const error = serviceUnavailable('idp_unreachable', 'connection refused');
    assert.equal(error.retryAfter, 5);
    const headers = error.responseHeaders('api');
    assert.equal(headers['retry-after'], '5');
    assert.equal(headers['www-authenticate'], undefined);
    assert.equal(
      serviceUnavailable('idp_throttled', undefined, 30).responseHeaders('api')['retry-after'],
      '30',
    );
  });

  it('keeps details out of the body', () => {
    const error = new TokenguardError('authenticationFailed', 'jwt_expired', { detail: 'exp has passed' });
    assert.ok(!error.toBody('d').includes('exp has passed'));
    assert.ok(error.message.includes('exp has passed'), 'details stay available to logs');
  });

  it('describes config errors by path', () => {
    const error = configInvalid('auth.jwt.leeway', 'not a duration');
    assert.equal(error.message, 'Invalid configuration: auth.jwt.leeway: not a duration');
    assert.equal(error.path, 'auth.jwt.leeway');
  });
});

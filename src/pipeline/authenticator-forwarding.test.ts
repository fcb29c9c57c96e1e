/**
 * @module pipeline/authenticator-forwarding.test
 * Request values sent to the IdP (`forwardHeaders`, `forwardParams`, `requestContext`) through the whole
 * pipeline: what the IdP receives, and that the cache keeps answers given for different values apart.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AuthConfigInput } from '../config/schema.ts';
import { createAuthenticator } from './create-authenticator.ts';
import { usePipelineSuite } from './test-support/pipeline-fixtures.ts';

describe('Authenticator with request values forwarded to the IdP', () => {
  const suite = usePipelineSuite();
  before(() => {
    // An IdP whose answer depends on the tenant header, as such deployments do.
    suite.idp.answer = (call) => ({
      status: 200,
      body: JSON.stringify({
        active: call.form.get('token') !== 'unknown-token',
        sub: `user-of-${call.headers['x-tenant'] ?? 'none'}`,
      }),
    });
  });

  function make(introspection: NonNullable<AuthConfigInput['introspection']>, negative = false) {
    const auth = createAuthenticator({
      config: {
        introspection: {
          endpoint: `${suite.idp.url}/introspect`,
          clientAuth: { accessToken: 'access-token-with-introspection-permission' },
          negativeCache: { enabled: negative },
          ...introspection,
        },
      },
    });
    suite.track(auth);
    return auth;
  }

  const request = (token: string, tenant?: string, url = '/orders?region=eu&page=2') => ({
    headers: { authorization: `Bearer ${token}`, ...(tenant ? { 'x-tenant': tenant } : {}) },
    url,
    method: 'PATCH',
  });

  it('sends the configured headers, query parameters and request context to the IdP', async () => {
    const auth = make({ forwardHeaders: ['X-Tenant'], forwardParams: ['region'], requestContext: true });
    const start = suite.idp.calls.length;
    const principal = await auth.check(request('opaque-forward-1', 'acme'));
    assert.equal(principal.subject, 'user-of-acme');
    const call = suite.idp.calls[start];
    assert.equal(call.headers['x-tenant'], 'acme');
    assert.equal(call.headers['x-request-path'], '/orders');
    assert.equal(call.headers['x-request-http-method'], 'PATCH');
    assert.deepEqual(
      [...call.form],
      [
        ['token', 'opaque-forward-1'],
        ['region', 'eu'],
      ],
    );
  });

  it('keys the cache with the values: one answer per tenant, each served to its own tenant only', async () => {
    const auth = make({ forwardHeaders: ['x-tenant'] });
    const start = suite.idp.calls.length;
    assert.equal((await auth.check(request('opaque-forward-2', 'acme'))).subject, 'user-of-acme');
    assert.equal((await auth.check(request('opaque-forward-2', 'globex'))).subject, 'user-of-globex');
    assert.equal((await auth.check(request('opaque-forward-2'))).subject, 'user-of-none');
    assert.equal(suite.idp.calls.length - start, 3, 'a different value is a different question');
    assert.equal(auth.checkCached(request('opaque-forward-2', 'acme'))?.subject, 'user-of-acme');
    assert.equal(auth.checkCached(request('opaque-forward-2', 'globex'))?.subject, 'user-of-globex');
    assert.equal(auth.checkCached(request('opaque-forward-2', 'initech')), undefined);
    assert.equal(suite.idp.calls.length - start, 3);
    // The request may also come through the options, e.g. with authenticateToken.
    const viaOptions = await auth.authenticateToken('opaque-forward-2', { request: request('x', 'acme') });
    assert.equal(viaOptions.subject, 'user-of-acme');
    assert.equal(suite.idp.calls.length - start, 3);
  });

  it('keeps negative answers apart by value too, and invalidate(token) drops every variant', async () => {
    const auth = make({ forwardHeaders: ['x-tenant'] }, true);
    await assert.rejects(auth.check(request('unknown-token', 'acme')), { reason: 'token_inactive' });
    await auth.check(request('opaque-forward-3', 'acme'));
    await auth.check(request('opaque-forward-3', 'globex'));
    const start = suite.idp.calls.length;
    await auth.invalidate('opaque-forward-3');
    await auth.check(request('opaque-forward-3', 'acme'));
    await auth.check(request('opaque-forward-3', 'globex'));
    await assert.rejects(auth.check(request('unknown-token', 'acme')), { reason: 'token_inactive' });
    assert.equal(suite.idp.calls.length - start, 2, 'both variants asked again; the negative entry stayed');
  });

  it('refuses forwarding over gRPC, and names the key of a forbidden name', () => {
    assert.throws(
      () =>
        createAuthenticator({
          config: { introspection: { grpc: { endpoint: '127.0.0.1:50051' }, requestContext: true } },
          introspectionTransport: {
            id: 'grpc',
            introspect: async () => ({ active: false }),
            close: async () => {},
          },
        }),
      { code: 'configInvalid', path: 'auth.introspection.grpc.endpoint' },
    );
    assert.throws(() => make({ forwardHeaders: ['authorization'] }), {
      code: 'configInvalid',
      path: 'auth.introspection.forwardHeaders.0',
    });
  });
});

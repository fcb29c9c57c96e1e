/**
 * @module introspection/request-forwarding.test
 * Which values of the client's request go to the IdP (Kong `introspection_headers_client`,
 * `introspection_post_args_client`, `introspect_request`), that unsafe ones never do, that the digest keys
 * them, and what a real IdP receives from the HTTP transport.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendJson } from '../../test/support/loopback.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import { createRequestForwarding, forwardedDigest } from './request-forwarding.ts';
import { type IntrospectionInput, introspectionConfig, useStubIdp } from './test-support/fixtures.ts';

const forwarding = (input: IntrospectionInput) => createRequestForwarding(introspectionConfig(input));

describe('createRequestForwarding', () => {
  it('is undefined when nothing is forwarded (keys and calls stay as without it)', () => {
    assert.equal(forwarding({}), undefined);
  });

  it('copies the named headers (any case) and query parameters, skipping missing ones', () => {
    const subject = forwarding({
      forwardHeaders: ['X-Tenant', 'X-Absent'],
      forwardParams: ['region', 'gone'],
    });
    const collected = subject!.collect({
      headers: { 'x-tenant': 'acme', 'x-other': 'no' },
      url: '/orders?region=eu&region=us&x=1',
    });
    assert.deepEqual(collected, {
      headers: [['x-tenant', 'acme']],
      params: [
        ['region', 'eu'],
        ['region', 'us'],
      ],
    });
    assert.deepEqual(subject!.collect(undefined), { headers: [], params: [] }, 'no request: nothing');
  });

  it('sends the path (without query) and method with requestContext', () => {
    const subject = forwarding({ requestContext: true });
    assert.deepEqual(subject!.collect({ headers: {}, url: '/a/b?c=d', method: 'DELETE' }).headers, [
      ['x-request-path', '/a/b'],
      ['x-request-http-method', 'DELETE'],
    ]);
    assert.deepEqual(subject!.collect({ headers: {} }).headers, [], 'neither known: neither sent');
  });

  it('never sends a header value with CR, LF or other controls; joins repeated values', () => {
    const subject = forwarding({ forwardHeaders: ['x-a', 'x-b', 'x-c', 'x-d'] });
    const { headers } = subject!.collect({
      headers: { 'x-a': 'ok\r\nInjected: 1', 'x-b': 'nul\u0000', 'x-c': ['one', 'two'], 'x-d': 'fine' },
    });
    assert.deepEqual(headers, [
      ['x-c', 'one, two'],
      ['x-d', 'fine'],
    ]);
  });

  it('digests the values with their names, in the order sent', () => {
    const digest = (headers: Array<[string, string]>, params: Array<[string, string]> = []) =>
      forwardedDigest({ headers, params });
    const base = digest([['x-tenant', 'acme']]);
    assert.match(base, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(base, digest([['x-tenant', 'acme']]));
    assert.notEqual(base, digest([['x-tenant', 'other']]));
    assert.notEqual(base, digest([['x-group', 'acme']]));
    assert.notEqual(base, digest([], [['x-tenant', 'acme']]), 'a header is not a parameter');
    assert.notEqual(digest([]), base);
  });

  it('refuses names tokenguard sets itself, naming the key', () => {
    const cases: Array<[IntrospectionInput, string]> = [
      [{ forwardHeaders: ['Authorization'] }, 'auth.introspection.forwardHeaders.0'],
      [{ forwardHeaders: ['x-ok', 'Content-Type'] }, 'auth.introspection.forwardHeaders.1'],
      [{ forwardHeaders: ['X-Request-Id'] }, 'auth.introspection.forwardHeaders.0'],
      [{ forwardHeaders: ['X-Request-Path'], requestContext: true }, 'auth.introspection.forwardHeaders.0'],
      [
        { forwardHeaders: ['x-tenant'], headers: { 'X-Tenant': 'fixed' } },
        'auth.introspection.forwardHeaders.0',
      ],
      [{ forwardParams: ['token'] }, 'auth.introspection.forwardParams.0'],
      [{ forwardParams: ['client_assertion'] }, 'auth.introspection.forwardParams.0'],
      [{ forwardParams: ['resource'], params: { resource: 'x' } }, 'auth.introspection.forwardParams.0'],
    ];
    for (const [input, path] of cases) {
      assert.throws(() => forwarding(input), { code: 'configInvalid', path }, JSON.stringify(input));
    }
  });

  it('lets the schema refuse names that are no header names', () => {
    assert.throws(() => introspectionConfig({ forwardHeaders: ['bad header'] }), /header name/);
  });
});

describe('HttpIntrospectionTransport with forwarded values', () => {
  const { idp, http, metadata } = useStubIdp();

  it('sends the forwarded headers and form parameters after its own, and never lets them replace its own', async () => {
    idp.handler = (_request, response) => sendJson(response, 200, { active: true, sub: 'alice' });
    const transport = new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        clientAuth: { clientId: 'rs', clientSecret: 's' },
        params: { resource: 'https://api' },
        headers: { 'X-Static': 'yes' },
      }),
      { http, metadata },
    );
    await transport.introspect('opaque-token', {
      requestId: 'req-9',
      forwarded: {
        headers: [
          ['x-tenant', 'acme'],
          ['x-request-path', '/orders'],
          ['authorization', 'Bearer stolen'],
          ['x-static', 'replaced?'],
          ['x-request-id', 'spoofed'],
          ['x-bad', 'a\r\nb: c'],
        ],
        params: [
          ['region', 'eu'],
          ['token', 'other-token'],
          ['client_id', 'mallory'],
        ],
      },
    });
    const [request] = idp.requests;
    assert.equal(request.headers['x-tenant'], 'acme');
    assert.equal(request.headers['x-request-path'], '/orders', 'the context headers of requestContext');
    assert.match(request.headers.authorization ?? '', /^Basic /);
    assert.equal(request.headers['x-static'], 'yes');
    assert.equal(request.headers['x-request-id'], 'req-9');
    assert.equal(request.headers['x-bad'], undefined);
    assert.deepEqual(
      [...request.form],
      [
        ['token', 'opaque-token'],
        ['resource', 'https://api'],
        ['region', 'eu'],
      ],
    );
  });
});

/**
 * @module test/idp/bad-input.test
 * Hostile and broken requests, each answered with a precise OAuth error (RFC 6749 §5.2) in JSON and never
 * a 500: malformed forms, repeated parameters, wrong content types, oversized bodies, bad Basic headers,
 * unknown clients and wrong secrets (indistinguishable), wrong methods, unknown tenants and paths, and
 * dot segments in the tenant part of a path. Raw node:http requests send exactly these bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../src/idp/server.ts';
import { basic, type RawAnswer, rawRequest, startSeedIdp } from './support/seed-idp.ts';

const FORM = 'application/x-www-form-urlencoded';

describe('bad input', () => {
  let idp: Idp;
  before(async () => {
    idp = await startSeedIdp({ limits: { maxBodyBytes: 1024 } });
  });
  after(() => idp.close());

  function post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<RawAnswer> {
    return rawRequest(idp.url, {
      method: 'POST',
      path,
      headers: { 'content-type': FORM, authorization: basic('svc', 'svc-secret'), ...headers },
      body,
    });
  }

  /** An OAuth error answer: JSON with exactly `error` and `error_description`, no caching. */
  function expectError(answer: RawAnswer, status: number, error: string): Record<string, unknown> {
    assert.equal(answer.status, status, answer.body);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    assert.equal(body.error, error);
    return body;
  }

  it('malformed percent-escapes and non-UTF-8 bytes → invalid_request', async () => {
    expectError(
      await post('/oauth2/token', 'grant_type=client_credentials&scope=%zz'),
      400,
      'invalid_request',
    );
    expectError(await post('/oauth2/token', Buffer.from([0x67, 0x3d, 0xff, 0xfe])), 400, 'invalid_request');
    expectError(await post('/oauth2/introspect', 'token=%E0%A4%A'), 400, 'invalid_request');
  });

  it('a repeated parameter → invalid_request (RFC 6749 §3.1)', async () => {
    const body = expectError(
      await post('/oauth2/token', 'grant_type=client_credentials&grant_type=client_credentials'),
      400,
      'invalid_request',
    );
    assert.match(String(body.error_description), /grant_type/);
    expectError(await post('/oauth2/introspect', 'token=a&token=b'), 400, 'invalid_request');
  });

  it('a body that is not a form → invalid_request; charset other than UTF-8 too', async () => {
    expectError(
      await post('/oauth2/token', '{"grant_type":"client_credentials"}', {
        'content-type': 'application/json',
      }),
      400,
      'invalid_request',
    );
    expectError(
      await post('/oauth2/token', 'grant_type=client_credentials', { 'content-type': 'text/plain' }),
      400,
      'invalid_request',
    );
    expectError(
      await post('/oauth2/token', 'grant_type=client_credentials', {
        'content-type': `${FORM}; charset=iso-8859-1`,
      }),
      400,
      'invalid_request',
    );
    const ok = await post('/oauth2/token', 'grant_type=client_credentials', {
      'content-type': `${FORM};charset=UTF-8`,
    });
    assert.equal(ok.status, 200, 'the WSO2 sample content type is fine');
  });

  it('a body over the limit → 413, declared or streamed', async () => {
    const big = `grant_type=client_credentials&pad=${'x'.repeat(4096)}`;
    expectError(await post('/oauth2/token', big), 413, 'invalid_request');
    const chunked = await rawRequest(idp.url, {
      method: 'POST',
      path: '/oauth2/introspect',
      headers: {
        'content-type': FORM,
        'transfer-encoding': 'chunked',
        authorization: basic('svc', 'svc-secret'),
      },
      body: big,
    });
    expectError(chunked, 413, 'invalid_request');
  });

  it('parameters in the URL of a POST endpoint → invalid_request', async () => {
    expectError(await post('/oauth2/introspect?token=abc', ''), 400, 'invalid_request');
  });

  it('bad Basic headers → invalid_request', async () => {
    for (const authorization of [
      'Basic !!!notbase64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':secret').toString('base64')}`,
      `Basic ${Buffer.from('svc%zz:secret').toString('base64')}`,
      `Basic ${Buffer.from('svc:svc-secret').toString('base64').replace(/=+$/, '')}`,
      `Basic ${Buffer.from([0x73, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      'Basic',
    ]) {
      expectError(
        await post('/oauth2/token', 'grant_type=client_credentials', { authorization }),
        400,
        'invalid_request',
      );
    }
  });

  it('form-urlencoded Basic credentials are decoded (RFC 6749 Appendix B)', async () => {
    const encoded = `Basic ${Buffer.from('svc:svc%2Dsecret').toString('base64')}`;
    assert.equal(
      (await post('/oauth2/token', 'grant_type=client_credentials', { authorization: encoded })).status,
      200,
    );
  });

  it('unknown client and wrong secret: the same 401 invalid_client with a Basic challenge', async () => {
    const unknown = await post('/oauth2/token', 'grant_type=client_credentials', {
      authorization: basic('nobody', 'x'),
    });
    const wrong = await post('/oauth2/token', 'grant_type=client_credentials', {
      authorization: basic('svc', 'wrong'),
    });
    const unknownBody = expectError(unknown, 401, 'invalid_client');
    assert.deepEqual(expectError(wrong, 401, 'invalid_client'), unknownBody);
    assert.equal(unknown.headers['www-authenticate'], wrong.headers['www-authenticate']);
    assert.match(String(wrong.headers['www-authenticate']), /^Basic realm="http:\/\/127\.0\.0\.1:\d+"$/);
  });

  it('two authentication methods at once → invalid_request; an unknown scheme → invalid_client', async () => {
    expectError(
      await post('/oauth2/token', 'grant_type=client_credentials&client_id=svc&client_secret=svc-secret'),
      400,
      'invalid_request',
    );
    expectError(
      await post('/oauth2/token', 'grant_type=client_credentials', {
        authorization: 'Digest username="svc"',
      }),
      401,
      'invalid_client',
    );
    expectError(
      await post('/oauth2/token', 'client_secret=svc-secret&grant_type=client_credentials', {
        authorization: '',
      }),
      400,
      'invalid_request',
    );
  });

  it('GET on a POST endpoint → 405 with Allow; POST on discovery → 405', async () => {
    const get = await rawRequest(idp.url, { method: 'GET', path: '/oauth2/token' });
    expectError(get, 405, 'method_not_allowed');
    assert.equal(get.headers.allow, 'POST');
    const introspectGet = await rawRequest(idp.url, {
      method: 'GET',
      path: '/idp/introspect_token?token=abc',
    });
    expectError(introspectGet, 405, 'method_not_allowed');
    const postDiscovery = await post('/.well-known/openid-configuration', '');
    expectError(postDiscovery, 405, 'method_not_allowed');
    assert.equal(postDiscovery.headers.allow, 'GET, HEAD');
  });

  it('unknown tenants, unknown paths and dot segments → 404 JSON', async () => {
    for (const path of [
      '/t/nope.com/oauth2/token',
      '/realms/nope/protocol/openid-connect/token',
      '/t/../oauth2/token',
      '/t/./oauth2/token',
      '/t/%2e%2e/oauth2/token',
      '/t/..%2f..%2fetc/oauth2/token',
      '/t/Foo.com/oauth2/token',
      '/realms/../protocol/openid-connect/token',
      '/oauth2//token',
      '/nothing/here',
      '/.well-known/oauth-authorization-server/t/../x',
    ]) {
      expectError(await post(path, 'grant_type=client_credentials'), 404, 'not_found');
    }
    expectError(
      await rawRequest(idp.url, { method: 'GET', path: '/t/nope.com/.well-known/openid-configuration' }),
      404,
      'not_found',
    );
  });

  it('a missing token at introspection and revocation → invalid_request; unknown grant → 400', async () => {
    expectError(await post('/oauth2/introspect', ''), 400, 'invalid_request');
    expectError(await post('/oauth2/introspect', 'token='), 400, 'invalid_request');
    expectError(await post('/oauth2/revoke', 'token_type_hint=access_token'), 400, 'invalid_request');
    expectError(await post('/oauth2/token', 'grant_type=%00'), 400, 'unsupported_grant_type');
  });

  it('none of these made the server fail: it still answers', async () => {
    const answer = await post('/oauth2/token', 'grant_type=client_credentials');
    assert.equal(answer.status, 200);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authConfigSchema } from '../config/schema.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { createTokenExtractor, isWellFormedToken } from './extract.ts';
import { looksLikeJwt, unverifiedIssuer } from './jwt-shape.ts';

const extractor = (tokenSources: Record<string, unknown> = {}) =>
  createTokenExtractor(authConfigSchema.parse({ tokenSources }).tokenSources);

function failure(run: () => unknown): TokenguardError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TokenguardError);
    return error;
  }
  assert.fail('expected an error');
}

describe('token extraction', () => {
  it('reads the Authorization header with a case-insensitive Bearer scheme', () => {
    const extract = extractor();
    for (const value of ['Bearer abc', 'bearer abc', 'BEARER abc', 'Bearer   abc  ']) {
      assert.deepEqual(extract.extract({ headers: { authorization: value } }), {
        token: 'abc',
        source: 'header',
      });
    }
  });

  it('treats another scheme, an empty token or no header as a missing token', () => {
    const extract = extractor();
    for (const headers of [
      {},
      { authorization: 'Basic dXNlcjpwd2Q=' },
      { authorization: 'Bearer ' },
      { authorization: 'Bearerabc' },
    ]) {
      const error = failure(() => extract.extract({ headers }));
      assert.equal(error.code, 'bearerTokenMissing');
      assert.equal(error.httpStatus, 401);
    }
  });

  it('reads a custom header and scheme, or the whole header value with an empty scheme (Traefik tokenSource)', () => {
    const custom = extractor({ header: { name: 'X-Api-Token', scheme: 'Token' } });
    assert.equal(custom.extract({ headers: { 'x-api-token': 'Token t1' } }).token, 't1');
    const raw = extractor({ header: { name: 'X-Access-Token', scheme: '' } });
    assert.equal(raw.extract({ headers: { 'x-access-token': ' t2 ' } }).token, 't2');
  });

  it('reads query, cookie and form body only when enabled', () => {
    const off = extractor();
    assert.equal(
      failure(() => off.extract({ headers: {}, url: '/?access_token=q' })).code,
      'bearerTokenMissing',
    );

    const all = extractor({
      query: { enabled: true },
      cookie: { enabled: true, name: 'at' },
      body: { enabled: true },
    });
    assert.deepEqual(all.extract({ headers: {}, url: '/x?a=1&access_token=q1' }), {
      token: 'q1',
      source: 'query',
    });
    assert.deepEqual(all.extract({ headers: { cookie: 'a=1; at="c1"; b=2' } }), {
      token: 'c1',
      source: 'cookie',
    });
    const form = {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { access_token: 'b1' },
    };
    assert.deepEqual(all.extract(form), { token: 'b1', source: 'body' });
    const json = { headers: { 'content-type': 'application/json' }, body: { access_token: 'b1' } };
    assert.equal(
      failure(() => all.extract(json)).code,
      'bearerTokenMissing',
      'RFC 6750 §2.2: form bodies only',
    );
  });

  it('refuses a token given in two places, or a repeated parameter, with 400 invalid_request', () => {
    const both = extractor({ query: { enabled: true } });
    const twice = failure(() =>
      both.extract({ headers: { authorization: 'Bearer a' }, url: '/?access_token=b' }),
    );
    assert.equal(twice.code, 'invalidRequest');
    assert.equal(twice.httpStatus, 400);
    assert.equal(twice.challenge('r'), 'Bearer realm="r", error="invalid_request"');
    const repeated = failure(() => both.extract({ headers: {}, url: '/?access_token=a&access_token=b' }));
    assert.equal(repeated.reason, 'token_in_several_places');
  });

  it('checks the RFC 6750 b64token syntax', () => {
    assert.ok(isWellFormedToken('abc.DEF-_~+/=='));
    for (const bad of ['a b', 'a"b', 'a,b', 'tok\r\nen', '==abc', 'ä'])
      assert.ok(!isWellFormedToken(bad), bad);
  });
});

describe('token shape', () => {
  it('tells JWS compact tokens from opaque ones', () => {
    assert.ok(looksLikeJwt('a.b.c'));
    for (const token of ['abc', 'a.b', '.b.c', 'a..c', 'a.b.', 'a.b.c.d'])
      assert.ok(!looksLikeJwt(token), token);
  });

  it('reads the unverified issuer, or nothing from garbage', () => {
    const payload = Buffer.from(JSON.stringify({ iss: 'https://idp' })).toString('base64url');
    assert.equal(unverifiedIssuer(`h.${payload}.s`), 'https://idp');
    assert.equal(unverifiedIssuer('h.!!!.s'), undefined);
    assert.equal(unverifiedIssuer(`h.${Buffer.from('null').toString('base64url')}.s`), undefined);
    assert.equal(unverifiedIssuer(`h.${Buffer.from('{"iss":5}').toString('base64url')}.s`), undefined);
  });
});

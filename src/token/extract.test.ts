import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

  it('matches the scheme as toLowerCase does and trims as trim does, without allocating in the common case', () => {
    const extract = extractor();
    assert.equal(extract.extract({ headers: { authorization: 'BeArEr abc' } }).token, 'abc');
    assert.equal(extract.extract({ headers: { authorization: 'Bearer \tabc\u00a0' } }).token, 'abc');
    assert.equal(
      extract.extract({ headers: { authorization: ['Bearer first', 'Bearer second'] } }).token,
      'first',
    );
    for (const authorization of ['@earer abc', 'Bearer\u00a0abc', 'Bearer \u00a0']) {
      assert.equal(failure(() => extract.extract({ headers: { authorization } })).code, 'bearerTokenMissing');
    }
    // U+212A KELVIN SIGN lower-cases to "k": the scheme comparison keeps toLowerCase's Unicode mappings.
    const key = extractor({ header: { name: 'X-Key', scheme: 'Key' } });
    assert.equal(key.extract({ headers: { 'x-key': '\u212Aey t1' } }).token, 't1');
  });

  it('extracts exactly what slice + toLowerCase + trim would, for any header value (property)', () => {
    const reference = (value: string, scheme: string): string | undefined => {
      if (scheme.length === 0) return value.trim() || undefined;
      if (value.length <= scheme.length || value.charCodeAt(scheme.length) !== 32) return undefined;
      if (value.slice(0, scheme.length).toLowerCase() !== scheme) return undefined;
      return value.slice(scheme.length + 1).trim() || undefined;
    };
    const piece = fc.constantFrom(
      'Bearer',
      'BEARER',
      'bEaReR',
      'Key',
      '\u212Aey',
      'İ',
      ' ',
      '\t',
      '\u00a0',
      'x',
    );
    const header = fc.array(fc.oneof(piece, fc.string(), fc.string({ unit: 'grapheme' })), { maxLength: 5 });
    for (const scheme of ['Bearer', 'Key', 'İx', '']) {
      const extract = extractor({ header: { name: 'Authorization', scheme } });
      const lower = scheme.toLowerCase();
      fc.assert(
        fc.property(header, (parts) => {
          const value = parts.join('');
          let token: string | undefined;
          try {
            token = extract.extract({ headers: { authorization: value } }).token;
          } catch {
            token = undefined;
          }
          assert.equal(token, reference(value, lower));
        }),
        { numRuns: 400 },
      );
    }
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

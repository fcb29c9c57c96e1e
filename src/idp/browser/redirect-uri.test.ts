/**
 * @module idp/browser/redirect-uri.test
 * Exact matching and adding parameters to a redirect URI that may have a query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistered, withParameters } from './redirect-uri.ts';

describe('redirect-uri', () => {
  it('matches exactly, nothing else', () => {
    const registered = ['https://app.example/cb'];
    assert.equal(isRegistered('https://app.example/cb', registered), true);
    for (const uri of [
      'https://app.example/cb/',
      'https://app.example/c',
      'https://APP.example/cb',
      'https://app.example/cb?x',
    ]) {
      assert.equal(isRegistered(uri, registered), false, uri);
    }
    assert.equal(isRegistered('https://app.example/cb', undefined), false);
  });

  it('appends parameters, keeping an existing query, skipping undefined values', () => {
    assert.equal(
      withParameters('https://a.example/cb', { code: 'x y', state: undefined }),
      'https://a.example/cb?code=x+y',
    );
    assert.equal(
      withParameters('https://a.example/cb?v=1', { code: 'c' }),
      'https://a.example/cb?v=1&code=c',
    );
    assert.equal(withParameters('https://a.example/cb?', { code: 'c' }), 'https://a.example/cb?code=c');
    assert.equal(withParameters('https://a.example/cb', {}), 'https://a.example/cb');
  });
});

/**
 * @module idp/clients/basic-credentials.test
 * RFC 6749 §2.3.1 / Appendix B decoding of Basic client credentials, and rejection of malformed headers.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseBasicCredentials } from './basic-credentials.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

it('decodes id and secret, form-urldecoding both (so ":" and "+" survive)', () => {
  assert.deepEqual(parseBasicCredentials(b64('user:user-pwd')), { id: 'user', secret: 'user-pwd' });
  assert.deepEqual(parseBasicCredentials(b64('a%3Ab:p%2Bq+r:s')), { id: 'a:b', secret: 'p+q r:s' });
  assert.deepEqual(parseBasicCredentials(b64('admin@foo.com:admin')), {
    id: 'admin@foo.com',
    secret: 'admin',
  });
  assert.deepEqual(parseBasicCredentials(b64('client:')), { id: 'client', secret: '' });
});

it('rejects malformed values with invalid_request', () => {
  for (const value of [
    '',
    '!!!',
    'abc',
    b64('nocolon'),
    b64(':secret'),
    b64('a%zz:b'),
    b64('a\u0000:b'),
    Buffer.from([0x61, 0x3a, 0xff]).toString('base64'),
  ]) {
    assert.throws(() => parseBasicCredentials(value), { code: 'invalid_request' }, JSON.stringify(value));
  }
});

/**
 * @module idp/endpoints/form-body.test
 * The strict form reader: RFC 6749 §3.1 (no repeats, empty means absent), Appendix B decoding, media type,
 * UTF-8, and the size limit on declared and streamed bodies.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { parseForm, readForm } from './form-body.ts';

function requestOf(body: string | Buffer, headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from(body.length ? [Buffer.from(body)] : []) as unknown as IncomingMessage;
  stream.headers = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  return stream;
}

async function failure(promise: Promise<unknown>): Promise<TokenguardError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof TokenguardError);
  return error;
}

describe('parseForm', () => {
  it('decodes + and percent-escapes, omits empty values (RFC 6749 §3.1)', () => {
    const form = parseForm('a=b+c&d=%C3%A9%26&e=&f&scope=read%20write');
    assert.deepEqual(
      [...form],
      [
        ['a', 'b c'],
        ['d', 'é&'],
        ['scope', 'read write'],
      ],
    );
  });

  it('rejects repeats (naming plain names only) and malformed escapes', () => {
    assert.throws(() => parseForm('token=a&token=b'), /"token" is repeated/);
    assert.throws(
      () => parseForm('%3Cscript%3E=1&%3Cscript%3E=2'),
      (error: TokenguardError) => {
        assert.equal(error.code, 'invalid_request');
        assert.doesNotMatch(error.detail ?? '', /script/);
        return true;
      },
    );
    assert.throws(() => parseForm('a=%zz'), /not valid form-urlencoded/);
    assert.throws(() => parseForm('a=%C3'), /not valid form-urlencoded/);
  });
});

describe('readForm', () => {
  it('reads a form; an empty body needs no content type (curl -XPOST)', async () => {
    assert.deepEqual([...(await readForm(requestOf('token=abc'), 100))], [['token', 'abc']]);
    assert.equal((await readForm(requestOf('', { 'content-type': '' }), 100)).size, 0);
  });

  it('refuses other media types and charsets with invalid_request', async () => {
    const json = await failure(readForm(requestOf('{}', { 'content-type': 'application/json' }), 100));
    assert.equal(json.code, 'invalid_request');
    assert.equal(json.httpStatus, 400);
    await failure(
      readForm(
        requestOf('a=b', { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' }),
        100,
      ),
    );
    assert.equal(
      (
        await readForm(
          requestOf('a=b', { 'content-type': 'Application/X-WWW-Form-Urlencoded; Charset="UTF-8"' }),
          100,
        )
      ).get('a'),
      'b',
    );
  });

  it('refuses bytes that are not UTF-8', async () => {
    const error = await failure(readForm(requestOf(Buffer.from([0x61, 0x3d, 0xc3, 0x28])), 100));
    assert.match(error.detail ?? '', /UTF-8/);
  });

  it('413 for a declared or streamed body over the limit', async () => {
    const declared = await failure(readForm(requestOf('a=b', { 'content-length': '101' }), 100));
    assert.equal(declared.httpStatus, 413);
    assert.equal(declared.headers.connection, 'close');
    const streamed = await failure(readForm(requestOf(`a=${'x'.repeat(200)}`), 100));
    assert.equal(streamed.httpStatus, 413);
  });
});

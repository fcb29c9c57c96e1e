/**
 * @module idp/web/form.test
 * Page forms go through the strict reader: URLSearchParams out, wrong media type and oversize refused.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readForm } from './form.ts';

function requestOf(body: string, type = 'application/x-www-form-urlencoded'): IncomingMessage {
  const stream = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
  stream.headers = { 'content-type': type };
  return stream;
}

describe('readForm', () => {
  it('returns URLSearchParams', async () => {
    const form = await readForm(requestOf('username=a+b&csrf=x%26y'));
    assert.equal(form.get('username'), 'a b');
    assert.equal(form.get('csrf'), 'x&y');
  });

  it('refuses another media type, repeats and oversize bodies', async () => {
    await assert.rejects(readForm(requestOf('a=1', 'text/plain')), { code: 'invalid_request' });
    await assert.rejects(readForm(requestOf('a=1&a=2')), { code: 'invalid_request' });
    await assert.rejects(readForm(requestOf('a='.padEnd(100, 'x')), 50), { httpStatus: 413 });
  });
});

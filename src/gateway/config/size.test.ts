/**
 * @module gateway/config/size.test
 * Sizes as written in the gateway's config.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseSize } from './size.ts';

it('parses bytes and binary units, refuses anything else', () => {
  assert.equal(parseSize('0'), 0);
  assert.equal(parseSize('512'), 512);
  assert.equal(parseSize('512b'), 512);
  assert.equal(parseSize('16kb'), 16 * 1024);
  assert.equal(parseSize('1.5 MiB'), 1.5 * 1024 * 1024);
  assert.equal(parseSize('2G'), 2 * 1024 ** 3);
  for (const bad of ['', 'kb', '10 parsecs', '-1kb', '1e3']) assert.equal(parseSize(bad), undefined, bad);
});

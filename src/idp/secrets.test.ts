import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomToken } from './secrets.ts';

describe('randomToken', () => {
  it('gives 43 base64url characters that never begin with "-" (a command line would read an option)', () => {
    // 1 in 64 draws of plain base64url begins with '-': about 156 in 10,000.
    const tokens = Array.from({ length: 10_000 }, randomToken);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    assert.equal(new Set(tokens).size, tokens.length, 'no two alike');
  });
});

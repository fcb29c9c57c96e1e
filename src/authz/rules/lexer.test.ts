/**
 * @module authz/rules/lexer.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from './lexer.ts';

const lex = (text: string) => tokenize({ text, path: 'rule' });

describe('tokenize', () => {
  it('produces operators, identifiers, strings and numbers with their offsets', () => {
    assert.deepEqual(lex('!Equals("a", 1) && (x || y),'), [
      { kind: '!', offset: 0 },
      { kind: 'identifier', offset: 1, name: 'Equals' },
      { kind: '(', offset: 7 },
      { kind: 'string', offset: 8, value: 'a', keys: ['a'] },
      { kind: ',', offset: 11 },
      { kind: 'number', offset: 13, value: 1 },
      { kind: ')', offset: 14 },
      { kind: '&&', offset: 16 },
      { kind: '(', offset: 19 },
      { kind: 'identifier', offset: 20, name: 'x' },
      { kind: '||', offset: 22 },
      { kind: 'identifier', offset: 25, name: 'y' },
      { kind: ')', offset: 26 },
      { kind: ',', offset: 27 },
      { kind: 'end', offset: 28 },
    ]);
  });

  it('skips spaces, tabs and line breaks', () => {
    assert.deepEqual(
      lex(' \t\r\n x ').map((token) => token.kind),
      ['identifier', 'end'],
    );
  });

  it('splits a string into keys at unescaped dots only', () => {
    const [token] = lex('"https://example\\.com/roles.admin"');
    assert.deepEqual(token, {
      kind: 'string',
      offset: 0,
      value: 'https://example.com/roles.admin',
      keys: ['https://example.com/roles', 'admin'],
    });
  });

  it('decodes \\" and \\\\ in both readings of a string', () => {
    const [token] = lex('"say \\"hi\\" \\\\ bye"');
    assert.equal(token.kind === 'string' && token.value, 'say "hi" \\ bye');
    assert.deepEqual(token.kind === 'string' && token.keys, ['say "hi" \\ bye']);
    // An escaped backslash before a dot leaves the dot a separator.
    const [path] = lex('"a\\\\.b"');
    assert.deepEqual(path.kind === 'string' && path.keys, ['a\\', 'b']);
  });

  it('reads JSON numbers', () => {
    const numbers = lex('0 -0 12 -3.25 1e3 2E-2 4.5e+1').flatMap((token) =>
      token.kind === 'number' ? [token.value] : [],
    );
    assert.deepEqual(numbers, [0, -0, 12, -3.25, 1000, 0.02, 45]);
  });

  it('keeps non-ASCII text inside strings', () => {
    const [token] = lex('"Zürich ✓"');
    assert.equal(token.kind === 'string' && token.value, 'Zürich ✓');
  });

  it('rejects malformed tokens with their column', () => {
    const cases: [string, string][] = [
      ['a & b', "expected '&&' at column 3"],
      ['a | b', "expected '||' at column 3"],
      ['"abc', 'unterminated string at column 1'],
      ['"abc\\', 'unterminated string at column 1'],
      ['"a\\tb"', "unknown escape '\\t' at column 3 (allowed: \\\" \\\\ and \\.)"],
      ['1.', 'invalid number at column 1'],
      ['.5', "unexpected character '.' at column 1"],
      ['- 1', 'invalid number at column 1'],
      ['007', 'invalid number at column 1'],
      ['12abc', 'invalid number at column 1'],
      ['1.2.3', 'invalid number at column 1'],
      ['1e', 'invalid number at column 1'],
      ['2e400', 'number out of range at column 1'],
      ["'a'", "unexpected character ''' at column 1 (strings are double-quoted)"],
      ['x = 1', "unexpected character '=' at column 3"],
      ['x\u00a0', 'unexpected character U+00A0 at column 2'],
      ['x\u0000', 'unexpected character U+0000 at column 2'],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => lex(text), { code: 'configInvalid', detail: `rule: ${message}` }, text);
    }
  });
});

/**
 * @module authz/rules/functions.test
 * The matchers on present claim values; missing claims are the compiler's business (compile.test).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FUNCTION_NAMES, isFunctionName, RULE_FUNCTIONS, splitContains } from './functions.ts';

describe('splitContains', () => {
  it('agrees with String.prototype.split on edge cases', () => {
    const texts = ['', 'a', 'a b', ' a ', 'a  b', 'aaa', 'a::b::', '::', 'abab', 'read write admin'];
    const separators = [' ', '::', 'a', 'ab', 'aa'];
    const wanted = ['', 'a', 'b', 'ab', 'read', 'admin', ':'];
    for (const text of texts) {
      for (const separator of separators) {
        for (const value of wanted) {
          assert.equal(
            splitContains(text, separator, value),
            text.split(separator).includes(value),
            JSON.stringify({ text, separator, value }),
          );
        }
      }
    }
  });
});

describe('RULE_FUNCTIONS', () => {
  const match = (name: keyof typeof RULE_FUNCTIONS, args: (string | number | boolean)[], claim: unknown) =>
    RULE_FUNCTIONS[name].matcher(args)(claim);

  it('Equals is strict by type and never equals an array', () => {
    assert.equal(match('Equals', ['admin'], 'admin'), true);
    assert.equal(match('Equals', [1], 1), true);
    assert.equal(match('Equals', [1], '1'), false);
    assert.equal(match('Equals', [true], 'true'), false);
    assert.equal(match('Equals', ['admin'], ['admin']), false);
    assert.equal(match('Equals', ['admin'], null), false);
  });

  it('Contains looks into arrays (strictly) and into strings (substring)', () => {
    assert.equal(match('Contains', ['adm'], 'sysadmin'), true);
    assert.equal(match('Contains', ['admin'], ['user', 'admin']), true);
    assert.equal(match('Contains', ['adm'], ['admin']), false);
    assert.equal(match('Contains', [1], [1, 2]), true);
    assert.equal(match('Contains', [1], ['1']), false);
    assert.equal(match('Contains', [1], '123'), false);
    assert.equal(match('Contains', ['x'], { x: 1 }), false);
  });

  it('Prefix tests strings only', () => {
    assert.equal(match('Prefix', ['https://'], 'https://idp'), true);
    assert.equal(match('Prefix', ['https://'], 'http://idp'), false);
    assert.equal(match('Prefix', ['a'], ['abc']), false);
  });

  it('OneOf tests a scalar, or any element of an array', () => {
    assert.equal(match('OneOf', ['admin', 'ops'], 'ops'), true);
    assert.equal(match('OneOf', ['admin', 'ops'], 'dev'), false);
    assert.equal(match('OneOf', ['admin', 'ops'], ['dev', 'ops']), true);
    assert.equal(match('OneOf', [1, true], '1'), false);
    assert.equal(match('OneOf', [1, true], [false, true]), true);
    assert.equal(match('OneOf', ['a'], { a: 1 }), false);
  });

  it('SplitContains splits a string claim', () => {
    assert.equal(match('SplitContains', [' ', 'write'], 'read write'), true);
    assert.equal(match('SplitContains', [' ', 'writ'], 'read write'), false);
    assert.equal(match('SplitContains', [' ', 'write'], ['read', 'write']), false);
  });

  it('lists the functions in the documented order, own names only', () => {
    assert.deepEqual(FUNCTION_NAMES, ['Equals', 'Contains', 'Prefix', 'OneOf', 'SplitContains']);
    assert.equal(isFunctionName('OneOf'), true);
    assert.equal(isFunctionName('constructor'), false);
    assert.equal(isFunctionName('toString'), false);
  });
});

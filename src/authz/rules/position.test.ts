/**
 * @module authz/rules/position.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { describePosition, ruleError } from './position.ts';

describe('describePosition', () => {
  it('names the column on the first line, counting from 1', () => {
    assert.equal(describePosition('abc', 0), 'column 1');
    assert.equal(describePosition('abc', 3), 'column 4');
  });

  it('names line and column past the first line', () => {
    const text = 'a\nbc\n\nd';
    assert.equal(describePosition(text, 2), 'line 2, column 1');
    assert.equal(describePosition(text, 3), 'line 2, column 2');
    assert.equal(describePosition(text, 6), 'line 4, column 1');
  });

  it('does not treat a line break at offset 0 as preceding offset 0', () => {
    assert.equal(describePosition('\nx', 0), 'column 1');
    assert.equal(describePosition('\nx', 1), 'line 2, column 1');
  });
});

describe('ruleError', () => {
  it('is a configInvalid error with the path, position and note', () => {
    const error = ruleError({ text: 'abc', path: 'routes.api.rule' }, 1, "expected ')'", 'a note');
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    assert.equal(error.path, 'routes.api.rule');
    assert.equal(error.detail, "routes.api.rule: expected ')' at column 2 (a note)");
  });
});

/**
 * @module authz/rules/parser.test
 * Syntax trees of well-formed rules, and the exact message of every kind of malformed one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallNode, RuleNode } from './ast.ts';
import { MAX_RULE_DEPTH, MAX_RULE_LENGTH, parseRule } from './parser.ts';

const call = (name: CallNode['name'], path: string[], ...args: CallNode['args']): CallNode => ({
  kind: 'call',
  name,
  path,
  args,
});
const a = call('Equals', ['a'], 1);
const b = call('Equals', ['b'], 2);
const c = call('Equals', ['c'], 3);
const A = 'Equals("a", 1)';
const B = 'Equals("b", 2)';
const C = 'Equals("c", 3)';

describe('parseRule: structure', () => {
  it('parses every function with its arguments', () => {
    assert.deepEqual(parseRule('Equals("grp", "admin")'), call('Equals', ['grp'], 'admin'));
    assert.deepEqual(parseRule('Contains("aud", "api")'), call('Contains', ['aud'], 'api'));
    assert.deepEqual(parseRule('Prefix("iss", "https://")'), call('Prefix', ['iss'], 'https://'));
    assert.deepEqual(
      parseRule('OneOf("realm_access.roles", "admin", 7, false)'),
      call('OneOf', ['realm_access', 'roles'], 'admin', 7, false),
    );
    assert.deepEqual(
      parseRule('SplitContains("scope", " ", "read")'),
      call('SplitContains', ['scope'], ' ', 'read'),
    );
  });

  it('reads values: escaped strings, numbers, booleans', () => {
    assert.deepEqual(parseRule('Equals("q", "say \\"hi\\" c:\\\\")'), call('Equals', ['q'], 'say "hi" c:\\'));
    assert.deepEqual(parseRule('Equals("n", -1.5e2)'), call('Equals', ['n'], -150));
    assert.deepEqual(parseRule('Equals("t", true)'), call('Equals', ['t'], true));
    // In a value, \. is a plain dot.
    assert.deepEqual(parseRule('Equals("v", "a\\.b")'), call('Equals', ['v'], 'a.b'));
  });

  it('splits paths at unescaped dots', () => {
    assert.deepEqual(
      parseRule('Equals("address.country", "DE")'),
      call('Equals', ['address', 'country'], 'DE'),
    );
    assert.deepEqual(
      parseRule('Contains("https://example\\.com/roles", "admin")'),
      call('Contains', ['https://example.com/roles'], 'admin'),
    );
  });

  it('gives ! precedence over && over ||', () => {
    assert.deepEqual(parseRule(`${A} || ${B} && ${C}`), {
      kind: 'or',
      operands: [a, { kind: 'and', operands: [b, c] }],
    });
    assert.deepEqual(parseRule(`${A} && ${B} || ${C}`), {
      kind: 'or',
      operands: [{ kind: 'and', operands: [a, b] }, c],
    });
    assert.deepEqual(parseRule(`!${A} && ${B}`), { kind: 'and', operands: [{ kind: 'not', operand: a }, b] });
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(parseRule(`(${A} || ${B}) && ${C}`), {
      kind: 'and',
      operands: [{ kind: 'or', operands: [a, b] }, c],
    });
    assert.deepEqual(parseRule(`!(${A} || ${B})`), {
      kind: 'not',
      operand: { kind: 'or', operands: [a, b] },
    });
    assert.deepEqual(parseRule(`((((${A}))))`), a);
  });

  it('flattens chains of one operator', () => {
    assert.deepEqual(parseRule(`${A} && ${B} && ${C}`), { kind: 'and', operands: [a, b, c] });
    assert.deepEqual(parseRule(`${A}||${B}||${C}`), { kind: 'or', operands: [a, b, c] });
    assert.deepEqual(parseRule(`!!${A}`), { kind: 'not', operand: { kind: 'not', operand: a } });
  });

  it('accepts rules spread over several lines', () => {
    assert.deepEqual(parseRule(`\n  ${A}\n  && ${B}\n`), { kind: 'and', operands: [a, b] });
  });
});

describe('parseRule: errors', () => {
  // [rule, exact detail after "rule: "]
  const malformed: [string, string][] = [
    ['Equals("grp", "admin"', "expected ',' or ')' at column 22"],
    [`(${A} || ${B}`, "expected ')' at column 34"],
    [`(${A} ${B})`, "expected ')' at column 17"],
    [
      'Equal("grp", "admin")',
      "unknown function 'Equal' at column 1 (known: Equals, Contains, Prefix, OneOf, SplitContains)",
    ],
    ['true', "unknown function 'true' at column 1 (known: Equals, Contains, Prefix, OneOf, SplitContains)"],
    ['OneOf("grp")', 'wrong number of arguments to OneOf at column 1 (expected at least 2, got 1)'],
    ['Equals("a", 1, 2)', 'wrong number of arguments to Equals at column 1 (expected 2, got 3)'],
    ['Equals()', 'wrong number of arguments to Equals at column 1 (expected 2, got 0)'],
    [
      'SplitContains("scope", " ")',
      'wrong number of arguments to SplitContains at column 1 (expected 3, got 2)',
    ],
    [`${A} &&`, "expected a function call, '!' or '(' at column 18"],
    [`|| ${A}`, "expected a function call, '!' or '(' at column 1"],
    ['"grp"', "expected a function call, '!' or '(' at column 1"],
    ['()', "expected a function call, '!' or '(' at column 2"],
    ['Equals "a", 1', "expected '(' at column 8"],
    [`${A} ${B}`, "expected '&&', '||' or end of rule at column 16"],
    [`${A})`, "unmatched ')' at column 15"],
    ['Equals(1, 1)', 'expected a claim path (a string) at column 8'],
    ['Equals("a", admin)', 'expected a value (string, number, true or false) at column 13'],
    ['Equals("a", "b",)', 'expected a value (string, number, true or false) at column 17'],
    ['Equals("a..b", 1)', 'empty key in claim path at column 8'],
    ['Equals(".a", 1)', 'empty key in claim path at column 8'],
    ['Equals("", 1)', 'empty key in claim path at column 8'],
    ['Prefix("iss", 1)', 'argument 2 of Prefix must be a string at column 15'],
    [
      'SplitContains("scope", "", "read")',
      'argument 2 of SplitContains must be a non-empty string (the separator) at column 24',
    ],
    ['SplitContains("scope", " ", true)', 'argument 3 of SplitContains must be a string at column 29'],
    ['Equals(`grp`, `admin`)', "unexpected character '`' at column 8 (strings are double-quoted)"],
    ['Equals("a", "b\\n")', "unknown escape '\\n' at column 15 (allowed: \\\" \\\\ and \\.)"],
    [`${A} and ${B}`, "expected '&&', '||' or end of rule at column 16"],
    [`${A}\n&& Equals(2, 1)`, 'expected a claim path (a string) at line 2, column 11'],
    ['   ', 'rule is empty'],
  ];

  it(`reports ${malformed.length} malformed rules with the position and what was expected`, () => {
    for (const [rule, message] of malformed) {
      assert.throws(
        () => parseRule(rule),
        { code: 'configInvalid', path: 'rule', detail: `rule: ${message}` },
        rule,
      );
    }
  });

  it('names the config key the rule came from', () => {
    assert.throws(() => parseRule('Equal("a", 1)', 'routes[2].authorize.rule'), {
      code: 'configInvalid',
      path: 'routes[2].authorize.rule',
      detail:
        "routes[2].authorize.rule: unknown function 'Equal' at column 1 (known: Equals, Contains, Prefix, OneOf, SplitContains)",
    });
  });

  it('rejects a rule that is not a string', () => {
    assert.throws(() => parseRule(42 as unknown as string), { detail: 'rule: rule must be a string' });
  });
});

describe('parseRule: limits', () => {
  it(`accepts ${MAX_RULE_LENGTH} characters and rejects one more`, () => {
    const rule = A.padEnd(MAX_RULE_LENGTH, ' ');
    assert.deepEqual(parseRule(rule), a);
    assert.throws(() => parseRule(`${rule} `), {
      code: 'configInvalid',
      detail: `rule: rule is longer than ${MAX_RULE_LENGTH} characters (${MAX_RULE_LENGTH + 1})`,
    });
  });

  it(`accepts ${MAX_RULE_DEPTH} levels of parentheses and rejects one more`, () => {
    const nest = (depth: number) => `${'('.repeat(depth)}${A}${')'.repeat(depth)}`;
    assert.deepEqual(parseRule(nest(MAX_RULE_DEPTH)), a);
    assert.throws(() => parseRule(nest(MAX_RULE_DEPTH + 1)), {
      detail: `rule: nesting deeper than ${MAX_RULE_DEPTH} levels at column ${MAX_RULE_DEPTH + 1}`,
    });
  });

  it('counts ! as a level too', () => {
    let expected: RuleNode = a;
    for (let level = 0; level < MAX_RULE_DEPTH; level++) expected = { kind: 'not', operand: expected };
    assert.deepEqual(parseRule(`${'!'.repeat(MAX_RULE_DEPTH)}${A}`), expected);
    assert.throws(() => parseRule(`${'(!'.repeat(17)}${A}${')'.repeat(17)}`), {
      // The 33rd opener is the 17th '(' of '(!(!…', at column 33.
      detail: `rule: nesting deeper than ${MAX_RULE_DEPTH} levels at column 33`,
    });
  });

  it('does not count a long flat chain as nesting', () => {
    const chain = Array.from({ length: 200 }, (_, index) => `Equals("k", ${index})`).join('||');
    const node = parseRule(chain);
    assert.equal(node.kind === 'or' && node.operands.length, 200);
  });
});

/**
 * @module authz/rules/index.test
 * `compileRule` as an authorizer, and property tests: random rules drawn from the grammar (with a
 * seeded generator, so a failure replays) must parse to the tree they were printed from and decide as
 * a naive reference evaluator does; random corruptions of them must fail only with `configInvalid`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyScopeFilter, buildPrincipal } from '../../claims/principal.ts';
import type { Claims } from '../../claims/types.ts';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import type { CallNode, RuleNode, Scalar } from './ast.ts';
import { compileRule, parseRule, requireRule } from './index.ts';

describe('compileRule', () => {
  it('builds an authorizer over the principal claims', () => {
    const authorizer = compileRule('Equals("grp", "admin") && SplitContains("scope", " ", "write")');
    assert.equal(
      authorizer.description,
      'rule(Equals("grp", "admin") && SplitContains("scope", " ", "write"))',
    );
    assert.equal(authorizer.requiredScopes, undefined);
    assert.equal(
      authorizer.check(buildPrincipal({ grp: 'admin', scope: 'read write' }, 'introspection')),
      true,
    );
    assert.equal(authorizer.check(buildPrincipal({ grp: 'admin', scope: 'read' }, 'introspection')), false);
  });

  it('sees the claims after the scope filter', () => {
    const claims: Claims = { scope: [{ rn: 'other', role: 'admin' }], sub: 'admin2' };
    const authorizer = compileRule('Equals("sub", "admin2")');
    assert.equal(
      authorizer.check(buildPrincipal(applyScopeFilter(claims, [{ rn: 'my_service' }]), 'jwt')),
      true,
    );
  });

  it('fails when built, not when checked, with the config path', () => {
    assert.throws(() => compileRule('Equals("grp" "admin")', 'gateway.routes[0].claims'), {
      code: 'configInvalid',
      path: 'gateway.routes[0].claims',
      detail: "gateway.routes[0].claims: expected ',' or ')' at column 14",
    });
  });

  it('has requireRule as an alias', () => {
    assert.equal(requireRule, compileRule);
  });
});

/** mulberry32: a tiny seeded PRNG, so that every run draws the same rules. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

class Draw {
  readonly #random: () => number;
  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }
  chance(probability: number): boolean {
    return this.#random() < probability;
  }
  integer(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.integer(0, items.length - 1)];
  }
}

const PATHS: readonly (readonly string[])[] = [
  ['grp'],
  ['scope'],
  ['level'],
  ['verified'],
  ['aud'],
  ['realm_access', 'roles'],
  ['address', 'country'],
  ['https://example.com/roles'],
  ['a.b'],
  ['a', 'b'],
  ['say "hi"'],
  ['back\\slash'],
  ['mixed'],
  ['missing'],
  ['address', 'missing'],
];
const STRINGS = [
  'admin',
  'ops',
  'read',
  'write',
  'DE',
  '',
  'a',
  'say "hi"',
  'c:\\',
  '3',
  'true',
  'x.y',
  'read write',
];
const NUMBERS = [0, 1, 3, -2.5, 1000, 1e21];
const SEPARATORS = [' ', ',', '::', 'e'];

function drawScalar(draw: Draw): Scalar {
  const kind = draw.integer(0, 5);
  if (kind <= 3) return draw.pick(STRINGS);
  return kind === 4 ? draw.pick(NUMBERS) : draw.chance(0.5);
}

function drawCall(draw: Draw): CallNode {
  const path = [...draw.pick(PATHS)];
  switch (draw.integer(0, 4)) {
    case 0:
      return { kind: 'call', name: 'Equals', path, args: [drawScalar(draw)] };
    case 1:
      return { kind: 'call', name: 'Contains', path, args: [drawScalar(draw)] };
    case 2:
      return { kind: 'call', name: 'Prefix', path, args: [draw.pick(STRINGS)] };
    case 3:
      return {
        kind: 'call',
        name: 'OneOf',
        path,
        args: Array.from({ length: draw.integer(1, 4) }, () => drawScalar(draw)),
      };
    default:
      return { kind: 'call', name: 'SplitContains', path, args: [draw.pick(SEPARATORS), draw.pick(STRINGS)] };
  }
}

function drawTree(draw: Draw, depth: number): RuleNode {
  if (depth === 0 || draw.chance(0.3)) return drawCall(draw);
  const choice = draw.integer(0, 2);
  if (choice === 0) return { kind: 'not', operand: drawTree(draw, depth - 1) };
  const operands = Array.from({ length: draw.integer(2, 3) }, () => drawTree(draw, depth - 1));
  return { kind: choice === 1 ? 'and' : 'or', operands };
}

/** Prints a tree as rule text, with random spacing and redundant parentheses. */
function print(draw: Draw, node: RuleNode): string {
  const space = () => draw.pick(['', '', ' ', ' ', '  ', '\n', '\t']);
  const precedence = (child: RuleNode) => ({ or: 1, and: 2, not: 3, call: 4 })[child.kind];
  // A child of the same operator is parenthesized too, or the parser would flatten it into its parent.
  const operand = (child: RuleNode, least: number) =>
    precedence(child) < least || draw.chance(0.15)
      ? `(${space()}${print(draw, child)}${space()})`
      : print(draw, child);
  const quote = (text: string, escapeDots: boolean) =>
    `"${text
      .replaceAll('\\', '\\\\')
      .replaceAll('"', '\\"')
      .replaceAll('.', escapeDots ? '\\.' : '.')}"`;
  switch (node.kind) {
    case 'call': {
      const path = `"${node.path.map((key) => quote(key, true).slice(1, -1)).join('.')}"`;
      const args = node.args.map((arg) =>
        typeof arg === 'string' ? quote(arg, draw.chance(0.3)) : String(arg),
      );
      return `${node.name}(${space()}${[path, ...args].join(`${space()},${space()}`)}${space()})`;
    }
    case 'not':
      return `!${space()}${operand(node.operand, 3)}`;
    case 'and':
      return node.operands.map((child) => operand(child, 3)).join(`${space()}&&${space()}`);
    case 'or':
      return node.operands.map((child) => operand(child, 2)).join(`${space()}||${space()}`);
  }
}

function drawClaims(draw: Draw): Claims {
  const claims: Record<string, unknown> = {};
  for (const path of PATHS) {
    if (draw.chance(0.25)) continue;
    const value = draw.chance(0.4)
      ? Array.from({ length: draw.integer(0, 3) }, () => drawScalar(draw))
      : draw.chance(0.1)
        ? null
        : drawScalar(draw);
    let parent = claims;
    for (const key of path.slice(0, -1)) {
      if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = {};
      parent = parent[key] as Record<string, unknown>;
    }
    parent[path[path.length - 1]] = value;
  }
  return claims;
}

/** The naive reading of the language, written independently of functions.ts and compile.ts. */
function reference(node: RuleNode, claims: unknown): boolean {
  if (node.kind === 'and') return node.operands.every((child) => reference(child, claims));
  if (node.kind === 'or') return node.operands.some((child) => reference(child, claims));
  if (node.kind === 'not') return !reference(node.operand, claims);
  const valueAt = (value: unknown, keys: readonly string[]): unknown => {
    if (keys.length === 0) return value;
    const isRecord = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isRecord && Object.hasOwn(value, keys[0])
      ? valueAt((value as Record<string, unknown>)[keys[0]], keys.slice(1))
      : undefined;
  };
  const value = valueAt(claims, node.path);
  if (value === undefined) return false;
  const [first, second] = node.args;
  switch (node.name) {
    case 'Equals':
      return value === first;
    case 'Contains':
      if (Array.isArray(value)) return value.indexOf(first) !== -1;
      return typeof value === 'string' && typeof first === 'string' && value.indexOf(first) !== -1;
    case 'Prefix':
      return typeof value === 'string' && value.slice(0, String(first).length) === first;
    case 'OneOf':
      return (Array.isArray(value) ? value : [value]).some((item) => node.args.indexOf(item) !== -1);
    case 'SplitContains':
      return typeof value === 'string' && value.split(String(first)).indexOf(String(second)) !== -1;
  }
}

describe('claim rules: properties', () => {
  it('parses every drawn rule to its tree and decides as the reference does', () => {
    const draw = new Draw(20_240_607);
    const claimSets = Array.from({ length: 8 }, () => drawClaims(draw));
    let passes = 0;
    let decisions = 0;
    for (let round = 0; round < 1500; round++) {
      const tree = drawTree(draw, draw.integer(0, 5));
      const source = print(draw, tree);
      assert.deepEqual(parseRule(source), tree, source);
      const authorizer = compileRule(source);
      for (const claims of claimSets) {
        const expected = reference(tree, claims);
        assert.equal(
          authorizer.check(buildPrincipal(claims, 'jwt')),
          expected,
          `${source}\n${JSON.stringify(claims)}`,
        );
        decisions++;
        if (expected) passes++;
      }
    }
    // The draw is useful only if it exercises both outcomes.
    assert.ok(passes > decisions * 0.1 && passes < decisions * 0.9, `${passes} of ${decisions} passed`);
  });

  it('fails on corrupted rules only with a positioned configInvalid', () => {
    const draw = new Draw(7);
    const noise = ['(', ')', '!', '&', '|', ',', '"', '\\', '.', ' ', 'x', '1', '-', '`'];
    for (let round = 0; round < 1500; round++) {
      const source = print(draw, drawTree(draw, draw.integer(0, 4)));
      const at = draw.integer(0, source.length);
      const corrupted = draw.chance(0.5)
        ? source.slice(0, at) + draw.pick(noise) + source.slice(at)
        : source.slice(0, at) + source.slice(at + 1);
      try {
        const authorizer = compileRule(corrupted);
        assert.equal(typeof authorizer.check(buildPrincipal({}, 'jwt')), 'boolean');
      } catch (error) {
        assert.ok(error instanceof TokenguardError, `${corrupted}: ${error}`);
        assert.equal(error.code, 'configInvalid');
        assert.match(
          error.detail ?? '',
          /^rule: (.+ at (line \d+, )?column \d+( \(.+\))?|rule is empty)$/,
          corrupted,
        );
      }
    }
  });
});

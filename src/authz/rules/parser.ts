/**
 * @module authz/rules/parser
 * Recursive-descent parser of claim rules, from tokens to the syntax tree. Grammar (precedence
 * `!` > `&&` > `||`):
 *
 * ```
 * rule    = or END
 * or      = and *( "||" and )
 * and     = unary *( "&&" unary )
 * unary   = "!" unary / primary
 * primary = "(" or ")" / call
 * call    = NAME "(" [ STRING *( "," value ) ] ")"
 * value   = STRING / NUMBER / "true" / "false"
 * ```
 *
 * Every error is a `configInvalid` naming the position and what was expected. Input is bounded twice:
 * by length before scanning, and by nesting depth (`(` and `!`) while parsing, so that no rule can
 * exhaust the stack.
 */
import { configInvalid } from '../../errors/tokenguard-error.ts';
import type { CallNode, RuleNode, Scalar } from './ast.ts';
import { FUNCTION_NAMES, isFunctionName, type ParamKind, RULE_FUNCTIONS } from './functions.ts';
import { type Token, tokenize } from './lexer.ts';
import { type RuleSource, ruleError } from './position.ts';

/** Longest rule accepted, in UTF-16 code units (4 KiB of ASCII). */
export const MAX_RULE_LENGTH = 4096;
/** Deepest nesting of parentheses and `!` accepted. */
export const MAX_RULE_DEPTH = 32;

const KIND_WANTED: Readonly<Record<ParamKind, string>> = {
  value: 'a value',
  string: 'a string',
  separator: 'a non-empty string (the separator)',
};

/** A literal argument, with its token for error positions. */
interface Argument {
  readonly value: Scalar;
  readonly token: Token;
}

function fitsKind(value: Scalar, kind: ParamKind): boolean {
  if (kind === 'value') return true;
  return typeof value === 'string' && (kind === 'string' || value !== '');
}

class Parser {
  readonly #source: RuleSource;
  readonly #tokens: Token[];
  #index = 0;
  #depth = 0;

  constructor(source: RuleSource) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  rule(): RuleNode {
    const node = this.#or();
    const next = this.#peek();
    if (next.kind === ')') throw this.#error(next, "unmatched ')'");
    if (next.kind !== 'end') throw this.#error(next, "expected '&&', '||' or end of rule");
    return node;
  }

  #peek(): Token {
    return this.#tokens[this.#index];
  }

  #next(): Token {
    const token = this.#tokens[this.#index];
    // `end` is never consumed, so that every lookahead past the input still has a position.
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #accept(kind: Token['kind']): boolean {
    if (this.#peek().kind !== kind) return false;
    this.#index++;
    return true;
  }

  #error(token: Token, message: string, note?: string) {
    return ruleError(this.#source, token.offset, message, note);
  }

  #nested<T>(opener: Token, parse: () => T): T {
    if (++this.#depth > MAX_RULE_DEPTH)
      throw this.#error(opener, `nesting deeper than ${MAX_RULE_DEPTH} levels`);
    const result = parse();
    this.#depth--;
    return result;
  }

  #or(): RuleNode {
    const operands = [this.#and()];
    while (this.#accept('||')) operands.push(this.#and());
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  #and(): RuleNode {
    const operands = [this.#unary()];
    while (this.#accept('&&')) operands.push(this.#unary());
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  #unary(): RuleNode {
    const token = this.#peek();
    if (token.kind !== '!') return this.#primary();
    this.#next();
    return this.#nested(token, () => ({ kind: 'not', operand: this.#unary() }));
  }

  #primary(): RuleNode {
    const token = this.#next();
    if (token.kind === '(') {
      return this.#nested(token, () => {
        const inner = this.#or();
        const close = this.#next();
        if (close.kind !== ')') throw this.#error(close, "expected ')'");
        return inner;
      });
    }
    if (token.kind === 'identifier') return this.#call(token);
    throw this.#error(token, "expected a function call, '!' or '('");
  }

  #call(nameToken: Token & { kind: 'identifier' }): CallNode {
    const name = nameToken.name;
    if (!isFunctionName(name)) {
      throw this.#error(nameToken, `unknown function '${name}'`, `known: ${FUNCTION_NAMES.join(', ')}`);
    }
    const open = this.#next();
    if (open.kind !== '(') throw this.#error(open, "expected '('");

    let path: readonly string[] | undefined;
    const args: Argument[] = [];
    if (!this.#accept(')')) {
      const pathToken = this.#next();
      if (pathToken.kind !== 'string') throw this.#error(pathToken, 'expected a claim path (a string)');
      if (pathToken.keys.includes('')) throw this.#error(pathToken, 'empty key in claim path');
      path = pathToken.keys;
      while (this.#accept(',')) args.push(this.#value());
      const close = this.#next();
      if (close.kind !== ')') throw this.#error(close, "expected ',' or ')'");
    }

    const spec = RULE_FUNCTIONS[name];
    const count = path === undefined ? 0 : args.length + 1;
    const wanted = spec.params.length + 1;
    if (path === undefined || (spec.variadic ? count < wanted : count !== wanted)) {
      const expected = spec.variadic ? `at least ${wanted}` : `${wanted}`;
      throw this.#error(
        nameToken,
        `wrong number of arguments to ${name}`,
        `expected ${expected}, got ${count}`,
      );
    }
    args.forEach(({ value, token }, index) => {
      // A variadic function's last parameter kind applies to every repetition.
      const kind = spec.params[Math.min(index, spec.params.length - 1)];
      if (!fitsKind(value, kind)) {
        throw this.#error(token, `argument ${index + 2} of ${name} must be ${KIND_WANTED[kind]}`);
      }
    });
    return { kind: 'call', name, path, args: args.map((arg) => arg.value) };
  }

  #value(): Argument {
    const token = this.#next();
    if (token.kind === 'string' || token.kind === 'number') return { value: token.value, token };
    if (token.kind === 'identifier' && (token.name === 'true' || token.name === 'false')) {
      return { value: token.name === 'true', token };
    }
    throw this.#error(token, 'expected a value (string, number, true or false)');
  }
}

/**
 * Parses a claim rule into its syntax tree. Throws `configInvalid(path, …)` on any error.
 *
 * @example
 * parseRule('Equals("grp", "admin") && !Contains("realm_access.roles", "guest")');
 */
export function parseRule(text: string, path = 'rule'): RuleNode {
  if (typeof text !== 'string') throw configInvalid(path, 'rule must be a string');
  if (text.length > MAX_RULE_LENGTH) {
    throw configInvalid(path, `rule is longer than ${MAX_RULE_LENGTH} characters (${text.length})`);
  }
  if (text.trim() === '') throw configInvalid(path, 'rule is empty');
  return new Parser({ text, path }).rule();
}

/**
 * @module authz/rules/compile
 * Turns a rule's syntax tree into one closure over the claims, once, at start-up. The closure runs on
 * every request, so everything that can be decided ahead is: paths are pre-split key arrays, each
 * function's matcher is built with its arguments bound, and `&&` / `||` are flat loops that stop early.
 */
import type { Claims } from '../../claims/types.ts';
import type { CallNode, RuleNode } from './ast.ts';
import { RULE_FUNCTIONS } from './functions.ts';

export type ClaimsPredicate = (claims: Readonly<Claims>) => boolean;

/**
 * The value at a nested path, or undefined when any step is missing or is not a JSON object. Own
 * members only, so that `"constructor"` or `"__proto__.x"` never reach `Object.prototype`; arrays are
 * not walked into (a path has no index syntax). Shared with `requireClaimValues`.
 */
export function lookup(keys: readonly string[]): (claims: Readonly<Claims>) => unknown {
  return (claims) => {
    let current: unknown = claims;
    for (const key of keys) {
      if (
        typeof current !== 'object' ||
        current === null ||
        Array.isArray(current) ||
        !Object.hasOwn(current, key)
      ) {
        return undefined;
      }
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
}

function compileCall(node: CallNode): ClaimsPredicate {
  const find = lookup(node.path);
  const matches = RULE_FUNCTIONS[node.name].matcher(node.args);
  // A missing claim fails every function; `!` then turns it into a pass.
  return (claims) => {
    const value = find(claims);
    return value !== undefined && matches(value);
  };
}

/** Compiles a syntax tree into a predicate over raw claims. */
export function compileNode(node: RuleNode): ClaimsPredicate {
  switch (node.kind) {
    case 'call':
      return compileCall(node);
    case 'not': {
      const operand = compileNode(node.operand);
      return (claims) => !operand(claims);
    }
    case 'and': {
      const operands = node.operands.map(compileNode);
      return (claims) => {
        for (const operand of operands) if (!operand(claims)) return false;
        return true;
      };
    }
    case 'or': {
      const operands = node.operands.map(compileNode);
      return (claims) => {
        for (const operand of operands) if (operand(claims)) return true;
        return false;
      };
    }
  }
}

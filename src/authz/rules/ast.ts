/**
 * @module authz/rules/ast
 * The syntax tree of a claim rule, as the parser builds it and the compiler consumes it. `&&` and `||`
 * chains are n-ary so that a long chain is one flat loop, not a deep tree.
 */

/** A literal argument: comparisons are strict by type (the number 1 never equals the string "1"). */
export type Scalar = string | number | boolean;

export type FunctionName = 'Equals' | 'Contains' | 'Prefix' | 'OneOf' | 'SplitContains';

/** `Name("claim.path", arg, …)`. */
export interface CallNode {
  readonly kind: 'call';
  readonly name: FunctionName;
  /** The claim path, split into keys at compile time (`"a.b\\.c"` → `['a', 'b.c']`). */
  readonly path: readonly string[];
  /** The arguments after the path. */
  readonly args: readonly Scalar[];
}

export interface AndNode {
  readonly kind: 'and';
  readonly operands: readonly RuleNode[];
}

export interface OrNode {
  readonly kind: 'or';
  readonly operands: readonly RuleNode[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: RuleNode;
}

export type RuleNode = CallNode | AndNode | OrNode | NotNode;

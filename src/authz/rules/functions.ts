/**
 * @module authz/rules/functions
 * The functions of the claim-rule language (Traefik Hub's `claims` expressions): what arguments each
 * takes, which the parser enforces, and how each tests a claim value, which the compiler uses. Every
 * matcher is built once per call site, so per-request work is the comparison alone.
 *
 * All comparisons are strict by type. A matcher only sees claims that are present; the compiler
 * answers `false` for a missing one.
 */
import type { FunctionName, Scalar } from './ast.ts';

/** `value`: any literal; `string`: a string; `separator`: a non-empty string. */
export type ParamKind = 'value' | 'string' | 'separator';

export interface RuleFunction {
  /** Kinds of the arguments after the claim path. */
  readonly params: readonly ParamKind[];
  /** The last parameter may repeat (it must still appear once). */
  readonly variadic: boolean;
  /** Builds the test of a present claim value from the call's arguments (already of the right kinds). */
  matcher(args: readonly Scalar[]): (claim: unknown) => boolean;
}

/**
 * Whether `text.split(separator)` has an element equal to `wanted`, without allocating the array: the
 * segments are visited with the same left-to-right `indexOf` that `split` uses.
 */
export function splitContains(text: string, separator: string, wanted: string): boolean {
  let start = 0;
  for (;;) {
    const end = text.indexOf(separator, start);
    const stop = end === -1 ? text.length : end;
    if (stop - start === wanted.length && text.startsWith(wanted, start)) return true;
    if (end === -1) return false;
    start = end + separator.length;
  }
}

/** In the order the "known functions" hint lists them. */
export const RULE_FUNCTIONS: Readonly<Record<FunctionName, RuleFunction>> = {
  /** The claim is exactly the value (an array claim never equals a scalar). */
  Equals: {
    params: ['value'],
    variadic: false,
    matcher:
      ([wanted]) =>
      (claim) =>
        claim === wanted,
  },
  /** An array claim has the value as an element, or a string claim has the string value as a substring. */
  Contains: {
    params: ['value'],
    variadic: false,
    matcher: ([wanted]) => {
      if (typeof wanted !== 'string') return (claim) => Array.isArray(claim) && claim.includes(wanted);
      return (claim) =>
        typeof claim === 'string' ? claim.includes(wanted) : Array.isArray(claim) && claim.includes(wanted);
    },
  },
  /** A string claim starts with the value. */
  Prefix: {
    params: ['string'],
    variadic: false,
    matcher:
      ([prefix]) =>
      (claim) =>
        typeof claim === 'string' && claim.startsWith(prefix as string),
  },
  /** The claim equals one of the values; for an array claim, any element does. */
  OneOf: {
    params: ['value'],
    variadic: true,
    matcher: (values) => {
      // Set membership is SameValueZero: as strict by type as `===` for JSON values.
      const accepted = new Set<unknown>(values);
      return (claim) =>
        Array.isArray(claim) ? claim.some((item) => accepted.has(item)) : accepted.has(claim);
    },
  },
  /** A string claim, split at the separator, has a part equal to the value (`scope` strings). */
  SplitContains: {
    params: ['separator', 'string'],
    variadic: false,
    matcher:
      ([separator, wanted]) =>
      (claim) =>
        typeof claim === 'string' && splitContains(claim, separator as string, wanted as string),
  },
};

export const FUNCTION_NAMES = Object.keys(RULE_FUNCTIONS) as FunctionName[];

/** Narrows an identifier to a known function; own keys only, so `constructor` is not a function. */
export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(RULE_FUNCTIONS, name);
}

/**
 * @module authz/claim-values
 * Kong's `*_required` checks (`groups_required`, `roles_required`, … over `*_claim` paths) for any claim:
 * separate items of the required list are alternatives (OR); the space-separated words of one item are all
 * needed (AND), so `['staff ops', 'root']` reads "(staff AND ops) OR root". The claim may hold a
 * space-separated string (as `scope`), an array of values, or one scalar.
 */
import type { Claims } from '../claims/types.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { nonEmptyList, nonEmptyString } from './arguments.ts';
import { lookup } from './rules/compile.ts';
import { splitContains } from './rules/functions.ts';
import type { Authorizer } from './types.ts';

const PATH = 'requireClaimValues';

/**
 * Whether a claim value holds `word`: a word of a space-separated string, an element of an array, or the
 * scalar itself. Numbers and booleans compare by their JSON text (`42`, `true`); objects hold nothing.
 * No array is built per request.
 */
function holds(value: unknown, word: string): boolean {
  if (typeof value === 'string') return splitContains(value, ' ', word);
  if (Array.isArray(value)) return value.some((item) => item === word || scalarText(item) === word);
  return scalarText(value) === word;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** `'a.b'` → `['a', 'b']`; an array is taken as it is (for claim names that contain dots). */
function claimPath(path: readonly string[] | string): readonly string[] {
  const keys = typeof path === 'string' ? path.split('.') : path;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    keys.some((key) => typeof key !== 'string' || key === '')
  ) {
    throw configInvalid(PATH, `invalid claim path ${JSON.stringify(path)}: empty key`);
  }
  return [...keys];
}

/**
 * Requires values of the claim at `path` (a dotted string, or an array of keys), with Kong's semantics.
 *
 * @example
 * requireClaimValues('groups', ['staff ops', 'root']); // (staff AND ops) OR root
 * requireClaimValues(['https://example.com/claims', 'tier'], ['gold']);
 */
export function requireClaimValues(
  path: readonly string[] | string,
  required: readonly string[],
): Authorizer {
  const keys = claimPath(path);
  const alternatives = nonEmptyList(required, PATH, 'required values').map((item, index) => {
    const words = nonEmptyString(item, PATH, `required[${index}]`).split(' ').filter(Boolean);
    if (words.length === 0) throw configInvalid(PATH, `required[${index}] has no value`);
    return [...new Set(words)];
  });
  const find = lookup(keys);
  const described = alternatives
    .map((words) =>
      words.length > 1 && alternatives.length > 1 ? `(${words.join(' AND ')})` : words.join(' AND '),
    )
    .join(' OR ');
  return {
    description: `requireClaimValues(${keys.join('.')}: ${described})`,
    check: (principal) => {
      const value = find(principal.claims as Readonly<Claims>);
      if (value === undefined || value === null) return false;
      return alternatives.some((words) => words.every((word) => holds(value, word)));
    },
  };
}

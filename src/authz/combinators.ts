/**
 * @module authz/combinators
 * Boolean composition of authorizers: `allOf` (AND), `anyOf` (OR), `not`. Children run in order and
 * stop at the first decisive answer, so put the cheap checks first.
 */
import { configInvalid } from '../errors/tokenguard-error.ts';
import { nonEmptyList } from './arguments.ts';
import type { Authorizer } from './types.ts';

function checked(authorizers: readonly Authorizer[], path: string): readonly Authorizer[] {
  nonEmptyList(authorizers, path, 'authorizers').forEach((authorizer, index) => {
    if (typeof authorizer?.check !== 'function') {
      throw configInvalid(path, `argument ${index + 1} is not an authorizer`);
    }
  });
  return [...authorizers];
}

/** Union, in order of first appearance, of the children's required scopes; undefined when none. */
function unionOfScopes(authorizers: readonly Authorizer[]): readonly string[] | undefined {
  const scopes = new Set(authorizers.flatMap((authorizer) => authorizer.requiredScopes ?? []));
  return scopes.size ? [...scopes] : undefined;
}

function describe(name: string, authorizers: readonly Authorizer[]): string {
  return `${name}(${authorizers.map((authorizer) => authorizer.description).join(', ')})`;
}

/**
 * Passes if every authorizer passes. Its required scopes are the union of the children's, so that the
 * `insufficient_scope` challenge (RFC 6750 §3.1) names them all.
 */
export function allOf(...authorizers: Authorizer[]): Authorizer {
  const children = checked(authorizers, 'allOf');
  return {
    description: describe('allOf', children),
    requiredScopes: unionOfScopes(children),
    check: (principal) => children.every((child) => child.check(principal)),
  };
}

/**
 * Passes if any authorizer passes. Its required scopes are the union of the children's: any of them
 * may be what the client lacks, as with `requireScopes(…, { mode: 'any' })`.
 */
export function anyOf(...authorizers: Authorizer[]): Authorizer {
  const children = checked(authorizers, 'anyOf');
  return {
    description: describe('anyOf', children),
    requiredScopes: unionOfScopes(children),
    check: (principal) => children.some((child) => child.check(principal)),
  };
}

/** Passes if the authorizer fails. No scopes are required: holding more cannot help. */
export function not(authorizer: Authorizer): Authorizer {
  const [child] = checked([authorizer], 'not');
  return {
    description: describe('not', [child]),
    check: (principal) => !child.check(principal),
  };
}

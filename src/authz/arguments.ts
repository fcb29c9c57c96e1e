/**
 * @module authz/arguments
 * Start-up checks of the arguments authorizers are built from. Authorizers are often built from YAML or
 * plain JavaScript, where types are not enforced; a wrong argument must fail at start-up with
 * `configInvalid`, never turn into an authorizer that silently denies (or, worse, allows) everyone.
 */
import { configInvalid } from '../errors/tokenguard-error.ts';

/** Returns `value` if it is a non-empty string; throws `configInvalid(path, …)` otherwise. */
export function nonEmptyString(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string' || value === '')
    throw configInvalid(path, `${what} must be a non-empty string`);
  return value;
}

/** Returns `value` if it is undefined or a non-empty string. */
export function optionalNonEmptyString(value: unknown, path: string, what: string): string | undefined {
  return value === undefined ? undefined : nonEmptyString(value, path, what);
}

/** Returns `value` if it is a non-empty array: an empty list of requirements is always a mistake. */
export function nonEmptyList<T>(value: readonly T[] | undefined, path: string, what: string): readonly T[] {
  if (!Array.isArray(value) || value.length === 0) throw configInvalid(path, `${what} must not be empty`);
  return value;
}

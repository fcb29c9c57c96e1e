/**
 * @module authz/audience
 * Authorization by audience (`aud`, RFC 7519 §4.1.3: one string or an array of strings): any of the listed
 * values (the default, as go-authkit's `expectedAudience`) or all of them (Oathkeeper's
 * `target_audience`). Values may be globs (`https://*.example.com`, see `util/glob.ts`), compiled once.
 * Per route, unlike `auth.jwt.expectedAudience`, which every token must satisfy.
 */
import { configInvalid } from '../errors/tokenguard-error.ts';
import { compileGlob } from '../util/glob.ts';
import { nonEmptyList, nonEmptyString } from './arguments.ts';
import type { Authorizer } from './types.ts';

export interface RequireAudienceOptions {
  /** `any`: one listed value must be in `aud` (OR, default). `all`: every one must be (AND). */
  match?: 'any' | 'all';
}

const PATH = 'requireAudience';

/**
 * Requires the token's audience to name the values.
 *
 * @example
 * requireAudience(['https://api.example.com', 'https://*.internal.example.com']); // either
 * requireAudience(['orders', 'billing'], { match: 'all' }); // both
 */
export function requireAudience(values: readonly string[], options: RequireAudienceOptions = {}): Authorizer {
  const match = options.match ?? 'any';
  if (match !== 'any' && match !== 'all') {
    throw configInvalid(PATH, `match must be 'any' or 'all', got '${String(match)}'`);
  }
  const wanted = [
    ...new Set(nonEmptyList(values, PATH, 'values').map((value) => nonEmptyString(value, PATH, 'a value'))),
  ];
  const matchers = wanted.map(compileGlob);
  const check =
    match === 'any'
      ? (audience: readonly string[]) => audience.some((aud) => matchers.some((matches) => matches(aud)))
      : (audience: readonly string[]) => matchers.every((matches) => audience.some(matches));
  return {
    description: `requireAudience(${wanted.join(match === 'any' ? ' OR ' : ' AND ')})`,
    check: (principal) => check(principal.audience),
  };
}

/**
 * @module authz/issuer
 * Authorization by issuer (`iss`, Kong's `issuers_allowed`): the token's issuer must be one of the listed
 * values, which may be globs (`https://*.example.com/realms/acme`, see `util/glob.ts`). Per route, on top of
 * the trusted issuers of `auth.jwt`, which decide whose signatures are accepted at all.
 */
import { compileGlobs } from '../util/glob.ts';
import { nonEmptyList, nonEmptyString } from './arguments.ts';
import type { Authorizer } from './types.ts';

const PATH = 'requireIssuer';

/**
 * Passes if the principal's issuer matches any of the values (OR). A token without `iss` fails.
 *
 * @example
 * requireIssuer(['https://idp.example.com/realms/acme']);
 */
export function requireIssuer(values: readonly string[]): Authorizer {
  const wanted = [
    ...new Set(nonEmptyList(values, PATH, 'values').map((value) => nonEmptyString(value, PATH, 'a value'))),
  ];
  const matches = compileGlobs(wanted);
  return {
    description: `requireIssuer(${wanted.join(' OR ')})`,
    check: (principal) => principal.issuer !== undefined && matches(principal.issuer),
  };
}

/**
 * @module config/rejection
 * How every config section reports a schema failure: `<prefix>.a.b: message; …`, the first issue's key path
 * as the error's path. Shared by the library's `auth`, the IdP's `idp`, the gateway's `gateway` and the
 * fragments they mount, so all name the failing key the same way. Depends on nothing but the error type, so
 * any schema module may import it without a cycle.
 */
import type { z } from 'zod';
import { configInvalid } from '../errors/tokenguard-error.ts';

export function configRejection(issues: readonly z.core.$ZodIssue[], prefix: string) {
  const lines = issues.map((issue) => {
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    const path = [prefix, ...issue.path.map(String)].join('.');
    return unknownKeys ? `${path}.${unknownKeys[0]}: unknown key` : `${path}: ${issue.message}`;
  });
  const first = lines[0];
  const colon = first.indexOf(': ');
  return configInvalid(
    first.slice(0, colon),
    `${first.slice(colon + 2)}${lines.length > 1 ? `; ${lines.slice(1).join('; ')}` : ''}`,
  );
}

/**
 * @module gateway/forward/claim-value
 * A claim by dotted path (`ext.tenant`; `\.` for a dot inside a name, as the claim rules write it), and its
 * text as a header value: strings as they are, numbers and booleans as JSON, arrays of scalars joined with
 * `,` (RFC 9110 §5.3 list syntax), anything else as JSON. Own members only, so `__proto__` paths find nothing.
 */
import type { Claims } from '../../claims/types.ts';

/** Splits `a.b\.c` into `['a', 'b.c']`. */
export function splitClaimPath(path: string): string[] {
  const keys: string[] = [];
  let current = '';
  for (let index = 0; index < path.length; index++) {
    const char = path[index];
    if (char === '\\' && index + 1 < path.length) {
      current += path[++index];
    } else if (char === '.') {
      keys.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  keys.push(current);
  return keys;
}

/** The value at `keys`, or undefined when a step is missing or not a JSON object. */
export function claimAt(claims: Readonly<Claims>, keys: readonly string[]): unknown {
  let current: unknown = claims;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The header text of a claim value; undefined for a missing (or null) claim. */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isScalar(value)) return String(value);
  if (Array.isArray(value) && value.every(isScalar)) return value.map(String).join(',');
  return JSON.stringify(value);
}

/**
 * @module observability/request-id
 * `X-Request-ID` propagation: reuse the caller's id when it is a sane token, else make one. The id goes to
 * log lines, to the IdP (introspection calls) and back in the response.
 */
import { randomBytes } from 'node:crypto';

/** Ids of 1–128 visible characters without separators, so they cannot inject into log lines or headers. */
const SAFE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestIdOf(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const given = headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && SAFE_ID.test(value) ? value : newRequestId();
}

/** Random once per process, so ids of two replicas never collide; then a counter, so making one is free. */
const PROCESS_PREFIX = randomBytes(6).toString('hex');
let counter = 0;

/** 20 characters: a process prefix and a counter. Unique, not secret: ids are correlation handles only. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x10000000000;
  return PROCESS_PREFIX + counter.toString(36).padStart(8, '0');
}

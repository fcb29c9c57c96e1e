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

/** 20 base32hex characters, sortable by time like an xid. */
export function newRequestId(): string {
  const time = Date.now().toString(32).padStart(9, '0');
  return time + randomBytes(7).toString('hex').slice(0, 11);
}

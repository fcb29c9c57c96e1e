/**
 * @module test/events/support/subscriber
 * The resource-server side of the subscriber suites: an `Authenticator` introspecting at the IdP with a
 * long cache TTL (a revoked token would be served from its cache for an hour), wrapped so a test sees its
 * flushes, and metrics that record what the subscription did.
 */

import { isTokenguardError } from '../../../src/errors/tokenguard-error.ts';
import type { GapReason, RevocationMetrics, RevocationTarget } from '../../../src/events/types.ts';
import type { Authenticator } from '../../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../../src/pipeline/create-authenticator.ts';
import { STATIC_TOKEN } from '../../idp/support/seed-idp.ts';
import { eventually } from './eventually.ts';

/** seed 000's service config with a static introspection endpoint, caching active answers for an hour. */
export function cachingAuthenticator(introspectionEndpoint: string): Authenticator {
  return createAuthenticator({
    config: {
      introspection: {
        enabled: true,
        endpoint: introspectionEndpoint,
        clientAuth: { accessToken: STATIC_TOKEN },
        claimsCache: { enabled: true, maxEntries: 1000, ttl: '1h' },
      },
    },
  });
}

/** The HTTP status `check` would answer with: 200, or the error's status (401 for a revoked token). */
export async function statusOf(authenticator: Authenticator, token: string): Promise<number> {
  try {
    await authenticator.check({ headers: { authorization: `Bearer ${token}` } });
    return 200;
  } catch (error) {
    if (!isTokenguardError(error)) throw error;
    return error.httpStatus;
  }
}

/** Waits (polling, with a deadline) until `check` refuses `token` with 401; `why` names what should cause it. */
export async function untilRefused(authenticator: Authenticator, token: string, why: string): Promise<void> {
  await eventually(`401 after ${why}`, async () => (await statusOf(authenticator, token)) === 401);
}

export interface Observed {
  target: RevocationTarget;
  flushes: number;
  metrics: RevocationMetrics;
  applied: number;
  evicted: number;
  invalid: number;
  gaps: GapReason[];
}

/** `authenticator` as a revocation target that counts flushes, and metrics that record into the same object. */
export function observe(authenticator: Authenticator): Observed {
  const observed: Observed = {
    flushes: 0,
    applied: 0,
    evicted: 0,
    invalid: 0,
    gaps: [],
    target: {
      evictTokenHashes: (hashes) => authenticator.evictTokenHashes(hashes),
      evictMatching: (match) => authenticator.evictMatching(match),
      flush: async () => {
        observed.flushes++;
        await authenticator.flush();
      },
    },
    metrics: {
      event: (outcome) => {
        if (outcome === 'applied') observed.applied++;
        if (outcome === 'invalid') observed.invalid++;
      },
      evicted: (count) => {
        observed.evicted += count;
      },
      gap: (reason) => {
        observed.gaps.push(reason);
      },
    },
  };
  return observed;
}

/**
 * @module introspection/test-support/assertion-checker
 * The IdP side of JWT client authentication (RFC 7523 §3) for the stub IdP: an introspection handler that
 * answers `{active:true, sub:'alice'}` only to a request whose `client_assertion` verifies with the key of
 * the moment and names client `rs` as `iss` and `sub`, the endpoint as `aud`, with `exp`, `iat` and `jti`;
 * anything else gets 401 `invalid_client`. Every verified assertion is recorded. Not shipped.
 */
import type { KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { sendJson } from '../../../test/support/loopback.ts';
import { JWT_BEARER_ASSERTION_TYPE } from '../client-assertion.ts';
import type { Handler, StubIdp } from './stub-idp.ts';

export interface VerifiedAssertion {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface AssertionChecks {
  /** The key assertions must verify with (asked per request, so a test may change it). */
  key: () => KeyObject | Uint8Array;
  /** The IdP's clock, epoch ms. */
  now: () => number;
  /** Where verified assertions are recorded. */
  verified: VerifiedAssertion[];
}

export function assertionChecker(idp: StubIdp, checks: AssertionChecks): Handler {
  return async (request, response) => {
    if (request.form.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
      return sendJson(response, 401, { error: 'invalid_client' });
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(
        request.form.get('client_assertion') ?? '',
        checks.key(),
        {
          issuer: 'rs',
          subject: 'rs',
          audience: idp.url('/introspect'),
          requiredClaims: ['exp', 'iat', 'jti'],
          currentDate: new Date(checks.now()),
        },
      );
      checks.verified.push({ header: { ...protectedHeader }, payload });
      sendJson(response, 200, { active: true, sub: 'alice' });
    } catch {
      sendJson(response, 401, { error: 'invalid_client' });
    }
  };
}

/**
 * @module pipeline/validate-claims
 * Time and audience checks on verified claims, re-run on every request, cache hit or not: a cached answer
 * may have expired since it was stored (RFC 7662 §4: the resource server must still check `exp`).
 */
import type { Claims, VerificationMethod } from '../claims/types.ts';
import { authenticationFailed, type ErrorReason } from '../errors/tokenguard-error.ts';
import { compileGlobs } from '../util/glob.ts';

export interface ClaimsPolicy {
  leewayMs: number;
  requireAudience: boolean;
  expectedAudience: readonly string[];
}

export type ClaimsValidator = (claims: Claims, method: VerificationMethod, nowMs: number) => void;

/** Whether `aud` (one string or an array, RFC 7519 §4.1.3) names an expected audience; no array is built. */
function someAudienceMatches(aud: unknown, matches: (value: string) => boolean): boolean {
  if (typeof aud === 'string') return matches(aud);
  if (!Array.isArray(aud)) return false;
  for (const value of aud) if (typeof value === 'string' && matches(value)) return true;
  return false;
}

export function createClaimsValidator(policy: ClaimsPolicy): ClaimsValidator {
  const audienceMatches = policy.expectedAudience.length ? compileGlobs(policy.expectedAudience) : undefined;
  const leeway = policy.leewayMs;

  function fail(method: VerificationMethod, jwtReason: ErrorReason, detail: string): never {
    throw authenticationFailed(method === 'jwt' ? jwtReason : 'introspection_claims_invalid', detail);
  }

  return (claims, method, nowMs) => {
    const { exp, nbf, aud } = claims;
    if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 + leeway <= nowMs)) {
      fail(method, 'jwt_expired', 'exp has passed');
    }
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 - leeway > nowMs)) {
      fail(method, 'jwt_not_yet_valid', 'nbf is in the future');
    }
    if (aud === undefined) {
      if (policy.requireAudience) fail(method, 'jwt_audience_invalid', 'aud is missing');
      return;
    }
    if (audienceMatches && !someAudienceMatches(aud, audienceMatches)) {
      fail(method, 'jwt_audience_invalid', 'aud is not expected');
    }
  };
}

/**
 * @module jwt/jose-errors
 * Translation of jose's verification errors into TokenguardErrors with a precise `reason`. Details name
 * the check that failed, never the token or a claim's value.
 */
import { errors } from 'jose';
import {
  authenticationFailed,
  isTokenguardError,
  serviceUnavailable,
  type TokenguardError,
} from '../errors/tokenguard-error.ts';

/** A failed registered-claim or header check (jose `JWTClaimValidationFailed`), by claim (RFC 7519 §4.1). */
function claimError(error: errors.JWTClaimValidationFailed): TokenguardError {
  const { claim, reason } = error;
  if (reason === 'check_failed') {
    switch (claim) {
      case 'nbf': // RFC 7519 §4.1.5
        return authenticationFailed('jwt_not_yet_valid', 'nbf is in the future', error);
      case 'iat': // RFC 7519 §4.1.6
        return authenticationFailed('jwt_issued_in_future', 'iat is in the future', error);
      case 'typ': // RFC 7519 §5.1, RFC 9068 §2.1
        return authenticationFailed('jwt_type_invalid', 'the typ header is not the required one', error);
      case 'iss':
        return authenticationFailed('jwt_issuer_untrusted', 'iss is not the expected issuer', error);
      case 'aud':
        return authenticationFailed('jwt_audience_invalid', 'aud is not expected', error);
    }
  }
  if (claim === 'exp' && reason === 'missing') {
    return authenticationFailed('jwt_exp_missing', 'the token has no exp', error);
  }
  if (claim === 'iss' && reason === 'missing') {
    return authenticationFailed('jwt_issuer_missing', 'the token has no iss', error);
  }
  // `"exp":"123"` and the like: RFC 7519 §2 NumericDate is a JSON number.
  return authenticationFailed('jwt_claim_invalid', `claim ${claim} is ${reason}`, error);
}

/**
 * The error to throw for a failure of `jwtVerify`: a TokenguardError for every jose error (TokenguardErrors
 * of the key lookup pass through); anything else, a bug, is returned as it is.
 */
export function fromJoseError(error: unknown): unknown {
  if (isTokenguardError(error)) return error;
  if (error instanceof errors.JWTExpired) {
    // RFC 7519 §4.1.4. jose also uses JWTExpired for maxTokenAge on iat, which is not set here.
    return authenticationFailed('jwt_expired', 'exp has passed', error);
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimError(error);
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return authenticationFailed('jwt_signature_invalid', 'the signature does not verify', error);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return authenticationFailed(
      'jwks_no_matching_key',
      'no single key of the issuer matches kid and alg',
      error,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return authenticationFailed('jwt_algorithm_not_allowed', 'alg is not allowed', error);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return serviceUnavailable('jwks_unavailable', error.message, undefined, error);
  }
  if (error instanceof errors.JOSEError) {
    // JWSInvalid, JWTInvalid (payload not a JSON object, unencoded payload), unknown `crit`, …
    return authenticationFailed('jwt_malformed', error.message, error);
  }
  if (error instanceof TypeError) {
    // jose's key checks (an RSA modulus under 2048 bits, a key of the wrong type for alg): no trust.
    return authenticationFailed(
      'jwt_signature_invalid',
      `the key cannot verify this token: ${error.message}`,
      error,
    );
  }
  return error;
}

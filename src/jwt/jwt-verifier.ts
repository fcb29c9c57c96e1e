/**
 * @module jwt/jwt-verifier
 * Local verification of a JWT access token (RFC 7519, RFC 7515, RFC 9068; RFC 8725 best practices):
 * header and algorithm checks before any key is looked up, issuer trust before any key is fetched, then
 * jose's `jwtVerify` with the issuer's JWK Set, then the checks jose leaves to us (`iat` in the future,
 * audience globs). No caching here: the pipeline caches verified claims.
 */
import { decodeJwt, decodeProtectedHeader, errors, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { Claims } from '../claims/types.ts';
import { authenticationFailed, configInvalid } from '../errors/tokenguard-error.ts';
import { compileGlobs, type Matcher } from '../util/glob.ts';
import { fromJoseError } from './jose-errors.ts';
import type { KeySets } from './key-sets.ts';
import type { TrustedIssuers } from './trusted-issuers.ts';

/** The `auth.jwt` keys the verifier reads (`AuthConfig['jwt']` has them all). */
export interface JwtVerifierConfig {
  /** Allowed `alg` values; `none` and `HS*` are removed whatever is configured. */
  algorithms: readonly string[];
  /** Reject tokens without `aud`. */
  requireAudience: boolean;
  /** Accepted `aud` values, `*` globs allowed; empty = any. */
  expectedAudience: readonly string[];
  /** Required `typ` header (`at+jwt` for RFC 9068); empty = any. */
  requireType: string;
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in milliseconds. */
  leeway: number;
}

export interface JwtVerifierDeps {
  issuers: TrustedIssuers;
  keySets: KeySets;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

/**
 * RFC 8725 §3.1/§3.2: `none` is no signature, and an `HS*` token verified with an issuer's public key used
 * as the HMAC secret is the classic algorithm-confusion forgery. Neither is ever accepted here, because an
 * access token from an authorization server is signed with its private key.
 */
function isNeverAllowed(alg: string): boolean {
  return alg.toLowerCase() === 'none' || /^hs/i.test(alg);
}

export class JwtVerifier {
  readonly #algorithms: readonly string[];
  readonly #requireAudience: boolean;
  readonly #expectsAudience: boolean;
  readonly #audienceMatches: Matcher;
  readonly #requireType: string | undefined;
  readonly #leewayMs: number;
  readonly #issuers: TrustedIssuers;
  readonly #keySets: KeySets;
  readonly #now: () => number;

  constructor(config: JwtVerifierConfig, deps: JwtVerifierDeps) {
    this.#algorithms = config.algorithms.filter((alg) => !isNeverAllowed(alg));
    if (this.#algorithms.length === 0) {
      throw configInvalid(
        'auth.jwt.algorithms',
        'no asymmetric algorithm is allowed (none and HS* never are)',
      );
    }
    if (!(config.leeway >= 0 && Number.isFinite(config.leeway))) {
      throw configInvalid('auth.jwt.leeway', 'must be a non-negative duration');
    }
    this.#requireAudience = config.requireAudience;
    this.#expectsAudience = config.expectedAudience.length > 0;
    this.#audienceMatches = compileGlobs(config.expectedAudience);
    this.#requireType = config.requireType || undefined;
    this.#leewayMs = config.leeway;
    this.#issuers = deps.issuers;
    this.#keySets = deps.keySets;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The verified claims of `token`. Rejects with `authenticationFailed` when the token is not acceptable,
   * and with `serviceUnavailable` when the issuer's keys cannot be had (the IdP is down, not the token bad).
   */
  async verify(token: string): Promise<Claims> {
    this.#checkHeader(token);
    const trusted = this.#trustedIssuer(token);
    const getKey = await this.#keySets.get(trusted.issuerUrl, trusted.jwksUri);
    const now = this.#now();
    const options: JWTVerifyOptions = {
      algorithms: [...this.#algorithms],
      issuer: trusted.iss,
      clockTolerance: this.#leewayMs / 1000,
      // RFC 9068 §2.2: exp is REQUIRED in an access token; a token valid forever is not accepted.
      requiredClaims: ['exp'],
      // jose compares `typ` case-insensitively with the `application/` prefix optional (RFC 7515 §4.1.9),
      // so `at+jwt` also accepts `application/at+jwt`.
      typ: this.#requireType,
      currentDate: new Date(now),
    };
    let claims: Claims;
    try {
      claims = (await jwtVerify(token, getKey, options)).payload as Claims;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw fromJoseError(error);
      claims = await verifyWithEachKey(token, error, options);
    }
    this.#checkIssuedAt(claims, now);
    this.#checkAudience(claims.aud);
    return claims;
  }

  /** RFC 7515 §4.1.1 / RFC 8725 §3.1: the `alg` must be one we allow, checked before any key lookup. */
  #checkHeader(token: string): void {
    // RFC 7515 §7.1: a JWS compact serialization has exactly three parts (five would be a JWE).
    if (token.split('.').length !== 3) throw authenticationFailed('jwt_malformed', 'not a JWS compact JWT');
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw authenticationFailed('jwt_malformed', 'the protected header is not a base64url JSON object');
    }
    if (typeof alg !== 'string' || alg === '')
      throw authenticationFailed('jwt_malformed', 'the header has no alg');
    // `jku`, `x5u` and `jwk` are never read: keys come only from the issuer's configured or discovered
    // JWK Set, never from a location the token names (RFC 8725 §3.10).
    if (!this.#algorithms.includes(alg)) {
      throw authenticationFailed(
        'jwt_algorithm_not_allowed',
        `alg ${JSON.stringify(alg.slice(0, 32))} is not allowed`,
      );
    }
  }

  /** The unverified `iss`, which selects the keys; it must be trusted before anything is fetched for it. */
  #trustedIssuer(token: string): { iss: string; issuerUrl: string; jwksUri?: string } {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw authenticationFailed('jwt_malformed', 'the payload is not a base64url JSON object');
    }
    if (typeof iss !== 'string' || iss === '') {
      throw authenticationFailed('jwt_issuer_missing', 'the token has no iss (RFC 7519 §4.1.1)');
    }
    const trusted = this.#issuers.resolve(iss);
    if (trusted === undefined) {
      throw authenticationFailed(
        'jwt_issuer_untrusted',
        `iss ${JSON.stringify(iss.slice(0, 120))} is not trusted`,
      );
    }
    return { iss, ...trusted };
  }

  /** RFC 7519 §4.1.6: jose checks that `iat` is a number but not that it is in the past. */
  #checkIssuedAt(claims: Claims, now: number): void {
    if (typeof claims.iat === 'number' && claims.iat > Math.floor(now / 1000) + this.#leewayMs / 1000) {
      throw authenticationFailed('jwt_issued_in_future', 'iat is in the future');
    }
  }

  /**
   * RFC 7519 §4.1.3 / RFC 9068 §4: with expected audiences configured, some `aud` value must match one of
   * them (globs); with `requireAudience`, a token without `aud` is rejected.
   */
  #checkAudience(aud: unknown): void {
    const values =
      aud === undefined
        ? []
        : typeof aud === 'string'
          ? [aud]
          : Array.isArray(aud) && aud.every((value) => typeof value === 'string')
            ? (aud as string[])
            : undefined;
    if (values === undefined) {
      throw authenticationFailed('jwt_audience_invalid', 'aud is neither a string nor an array of strings');
    }
    if (values.length === 0) {
      if (this.#requireAudience || this.#expectsAudience) {
        throw authenticationFailed('jwt_audience_invalid', 'the token has no aud');
      }
      return;
    }
    if (this.#expectsAudience && !values.some(this.#audienceMatches)) {
      throw authenticationFailed('jwt_audience_invalid', 'aud is not expected');
    }
  }
}

/**
 * Several keys of the set match a token without `kid` (RFC 7515 §4.1.4 makes `kid` optional): each is
 * tried in turn, as jose's documentation shows; the first whose signature verifies wins.
 */
async function verifyWithEachKey(
  token: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: JWTVerifyOptions,
): Promise<Claims> {
  for await (const key of candidates) {
    try {
      return (await jwtVerify(token, key, options)).payload as Claims;
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw fromJoseError(error);
    }
  }
  throw authenticationFailed('jwt_signature_invalid', 'no key of the issuer verifies the signature');
}

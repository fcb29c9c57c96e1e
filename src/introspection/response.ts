/**
 * @module introspection/response
 * Turning what the IdP sent back into an `IntrospectionAnswer`, one pure step per function (in the style
 * of oauth4webapi's `processIntrospectionResponse`): status → body → JSON object → `active` check →
 * inactive reduction, and for RFC 9701 signed answers: content type → JWS verification → the
 * `token_introspection` member. Every failure is a `serviceUnavailable` error: a broken answer is the
 * IdP's fault, so it must never become an allow, nor a 401 the caller did not deserve.
 */
import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { JWT_ALGORITHMS } from '../config/schema.ts';
import { serviceUnavailable, TokenguardError } from '../errors/tokenguard-error.ts';
import { type HttpResponse, parseRetryAfter } from '../util/http-client.ts';
import type { IntrospectionAnswer } from './types.ts';

/** Media type of RFC 9701 answers (§4 request `Accept`, §5 response `Content-Type`). */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/** JOSE `typ` of RFC 9701 answers (§5); explicit typing keeps other JWTs from passing as one (§8.1). */
export const INTROSPECTION_JWT_TYPE = 'token-introspection+jwt';

/**
 * A URL as it may appear in error details: origin and path only, so that a query string (which some
 * deployments abuse for API keys) never reaches a log line.
 */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Maps a non-200 status to the error it means (RFC 7662 §2.3, go-authkit §6). 401/403 say the IdP
 * refused *our* credentials (RFC 6749 §5.2, RFC 6750 §3): a misconfiguration on our side, never the
 * caller's fault, hence 503 and not 401. 429 and 5xx carry the IdP's `Retry-After` (RFC 9110 §10.2.3).
 * Anything else is an answer RFC 7662 does not define.
 */
export function checkStatus(response: HttpResponse, url: string, now = Date.now()): void {
  const { status } = response;
  if (status === 200) return;
  const what = `POST ${describeUrl(url)} answered ${status}`;
  if (status === 401 || status === 403) {
    throw serviceUnavailable('idp_rejected_our_credentials', what);
  }
  const retryAfter = parseRetryAfter(response.headers['retry-after'], now);
  if (status === 429) throw serviceUnavailable('idp_throttled', what, retryAfter);
  if (status >= 500) throw serviceUnavailable('idp_unavailable', what, retryAfter);
  throw serviceUnavailable('idp_bad_response', what);
}

/** Parses a body that must be one JSON object (RFC 7662 §2.2; RFC 6749 §5.1 for token answers). */
export function parseJsonObject(body: string, url: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw serviceUnavailable('idp_bad_response', `answer of ${describeUrl(url)} is not JSON`);
  }
  if (!isJsonObject(value)) {
    throw serviceUnavailable('idp_bad_response', `answer of ${describeUrl(url)} is not a JSON object`);
  }
  return value;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the one REQUIRED member, `active`, which RFC 7662 §2.2 defines as a boolean. A string `"true"`
 * is not a boolean: treating it as one would let a sloppy (or spoofed) IdP grant access, so it is a bad
 * answer. An inactive answer is reduced to `{active:false}`: §2.2 says the IdP SHOULD NOT say more, and
 * nothing downstream may act on whatever it said anyway.
 */
export function toIntrospectionAnswer(object: Record<string, unknown>, url: string): IntrospectionAnswer {
  if (typeof object.active !== 'boolean') {
    throw serviceUnavailable(
      'idp_bad_response',
      `answer of ${describeUrl(url)} has no boolean "active" member (RFC 7662 §2.2)`,
    );
  }
  return object.active ? (object as IntrospectionAnswer) : { active: false };
}

/** The media type of a `Content-Type` value, lower-cased and without parameters (RFC 9110 §8.3.1). */
export function mediaTypeOf(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value[0] : value;
  return (text ?? '').split(';')[0].trim().toLowerCase();
}

/** RFC 9701 §5: a signed answer comes as `application/token-introspection+jwt`, nothing else. */
export function checkJwtContentType(response: HttpResponse, url: string): void {
  const mediaType = mediaTypeOf(response.headers['content-type']);
  if (mediaType !== INTROSPECTION_JWT_MEDIA_TYPE) {
    throw serviceUnavailable(
      'idp_bad_response',
      `answer of ${describeUrl(url)} has content type "${mediaType}", not ${INTROSPECTION_JWT_MEDIA_TYPE}`,
    );
  }
}

export interface JwtAnswerExpectations {
  /** Key resolver of the issuer's JWKS. */
  keySet: JWTVerifyGetKey;
  /** The IdP's issuer identifier: `iss` must equal it (RFC 9701 §5). */
  issuer: string;
  /** Our identifier at the IdP (configured audience, else our client id): `aud` must contain it. */
  audience: string;
  now: number;
}

/**
 * Verifies an RFC 9701 §5 answer: a JWS with `typ` `token-introspection+jwt`, signed by the issuer with an
 * asymmetric algorithm, with `iss`, `aud` and `iat`, whose `token_introspection` member is the RFC 7662
 * answer. Returns that member, still to be checked by `toIntrospectionAnswer`. Encrypted (JWE) answers
 * are not supported and fail as bad answers.
 */
export async function verifyJwtAnswer(
  jwt: string,
  url: string,
  expect: JwtAnswerExpectations,
): Promise<Record<string, unknown>> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt.trim(), expect.keySet, {
      typ: INTROSPECTION_JWT_TYPE,
      issuer: expect.issuer,
      audience: expect.audience,
      requiredClaims: ['iss', 'aud', 'iat'],
      // Only the asymmetric algorithms tokenguard knows: an HMAC "signature" would prove nothing here.
      algorithms: [...JWT_ALGORITHMS],
      currentDate: new Date(expect.now),
    }));
  } catch (error) {
    // A key set that could not be fetched reports its own (retryable) reason.
    if (error instanceof TokenguardError) throw error;
    throw serviceUnavailable(
      'idp_bad_response',
      `signed answer of ${describeUrl(url)} rejected: ${joseReason(error)}`,
      undefined,
      error,
    );
  }
  const answer = payload.token_introspection;
  if (!isJsonObject(answer)) {
    throw serviceUnavailable(
      'idp_bad_response',
      `signed answer of ${describeUrl(url)} has no "token_introspection" object (RFC 9701 §5)`,
    );
  }
  return answer;
}

/** jose's code and message (they name the failed check, never the token's content). */
function joseReason(error: unknown): string {
  if (error instanceof joseErrors.JOSEError) return `${error.code}: ${error.message}`;
  return 'not a verifiable JWT';
}

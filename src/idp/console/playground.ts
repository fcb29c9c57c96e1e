/**
 * @module idp/console/playground
 * The introspection playground: what the IdP makes of a pasted token, step by step, and the RFC 7662
 * answer a resource server would get for it.
 *
 * For a JWT the JOSE header and claims are decoded without being trusted (shown as data, whatever they
 * say), then checked one by one: format (JWS compact, `typ: at+jwt`, RFC 9068 §2.1), signature against the
 * tenant's published keys (RFC 7515 §5.2), issuer (one of the tenant's issuer identifiers), expiry and
 * not-before (RFC 7519 §4.1.4/§4.1.5, with the IdP's clock skew), revocation state and client state (the
 * token's record in the store). An opaque token has no structure: it is looked up by its digest, and the
 * same time, revocation and client checks run on its record.
 *
 * The answer is `TokenService.introspect`'s for a caller of this tenant allowed to introspect any of its
 * tokens (like a static introspection token): exactly what the endpoint returns to such a resource server.
 *
 * The pasted token is never logged, stored or echoed into an error: it lives in this request only.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { CLOCK_SKEW_SECONDS, liveParties } from '../tokens/token-state.ts';
import type { Realm, TokenService } from '../tokens/types.ts';

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface Step {
  name: string;
  status: StepStatus;
  detail: string;
}

export interface Inspection {
  format: 'jwt' | 'opaque' | 'unrecognized';
  /** Decoded, unverified: for JWTs only. */
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  steps: Step[];
  answer: IntrospectionAnswer;
}

export interface PlaygroundDeps {
  store: IdpStore;
  keys: Pick<KeyManager, 'verificationKey'>;
  tokens: Pick<TokenService, 'find' | 'introspect'>;
  /** Epoch seconds. */
  now: number;
}

const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]*$/;
/** What this IdP's opaque tokens look like (base64url of 32 random bytes); others are looked up anyway. */
const OPAQUE = /^[\w.~+/-]+=*$/;

const step = (name: string, status: StepStatus, detail: string): Step => ({ name, status, detail });

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function decoded(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  try {
    return {
      header: decodeProtectedHeader(token) as Record<string, unknown>,
      claims: decodeJwt(token) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

function formatStep(kind: Inspection['format'], header?: Record<string, unknown>): Step {
  if (kind === 'opaque')
    return step('Format', 'pass', 'Opaque token: no structure, looked up by its SHA-256.');
  if (kind === 'unrecognized') {
    return step('Format', 'fail', 'Neither a JWS compact JWT nor an opaque token of allowed characters.');
  }
  const typ = typeof header?.typ === 'string' ? header.typ : '';
  return /^(application\/)?at\+jwt$/i.test(typ)
    ? step('Format', 'pass', `JWT (JWS compact), typ ${typ}, alg ${String(header?.alg)}.`)
    : step('Format', 'fail', `JWT, but typ is "${typ}", not at+jwt (RFC 9068 §2.1).`);
}

async function signatureStep(
  deps: PlaygroundDeps,
  tenant: string,
  token: string,
  kid: unknown,
): Promise<Step> {
  if (typeof kid !== 'string') return step('Signature', 'fail', 'The header names no key (kid).');
  const key = await deps.keys.verificationKey(tenant, kid);
  if (!key) return step('Signature', 'fail', `No key "${kid}" is published in this tenant's JWKS.`);
  try {
    await compactVerify(token, key);
    return step('Signature', 'pass', `Verified with key "${kid}" of this tenant's JWKS.`);
  } catch {
    return step('Signature', 'fail', `Does not verify with key "${kid}" of this tenant's JWKS.`);
  }
}

function issuerStep(iss: unknown, issuers: readonly string[]): Step {
  if (typeof iss !== 'string') return step('Issuer', 'fail', 'The token names no issuer (iss).');
  return issuers.includes(iss)
    ? step('Issuer', 'pass', `${iss} is this tenant's issuer.`)
    : step('Issuer', 'fail', `${iss} is not an issuer of this tenant (${issuers.join(', ')}).`);
}

/** exp, nbf and iat (epoch seconds; undefined when absent) against `now`. */
function timeStep(now: number, exp: unknown, nbf: unknown, iat: unknown): Step {
  if (typeof exp !== 'number') return step('Expiry and not-before', 'fail', 'No expiry (exp).');
  if (exp <= now) return step('Expiry and not-before', 'fail', `Expired at ${isoTime(exp)}.`);
  if (typeof nbf === 'number' && nbf > now + CLOCK_SKEW_SECONDS) {
    return step('Expiry and not-before', 'fail', `Not valid before ${isoTime(nbf)}.`);
  }
  if (typeof iat === 'number' && iat > now + CLOCK_SKEW_SECONDS) {
    return step('Expiry and not-before', 'fail', `Issued in the future (${isoTime(iat)}).`);
  }
  return step('Expiry and not-before', 'pass', `Valid until ${isoTime(exp)}.`);
}

function revocationStep(record: StoredToken | undefined): Step {
  if (!record) return step('Revocation state', 'fail', 'This tenant has no record of the token.');
  if (record.revokedAt !== undefined) {
    return step('Revocation state', 'fail', `Revoked at ${isoTime(record.revokedAt)}.`);
  }
  if (record.consumedAt !== undefined) {
    return step(
      'Revocation state',
      'fail',
      'A refresh token already exchanged (rotation): never valid again.',
    );
  }
  return step('Revocation state', 'pass', `Not revoked (${record.kind} token of ${record.clientId}).`);
}

async function clientStep(store: IdpStore, record: StoredToken | undefined): Promise<Step> {
  if (!record) return step('Client state', 'skip', 'No record, so no client to check.');
  const parties = await liveParties(store, record);
  return parties
    ? step(
        'Client state',
        'pass',
        `Client ${record.clientId} exists and is enabled${parties.user ? ', and so is its user' : ''}.`,
      )
    : step('Client state', 'fail', `Client ${record.clientId} (or the token's user) is deleted or disabled.`);
}

/** Inspects `token` for `realm`'s tenant; `issuers` are the tenant's issuer identifiers (all profiles). */
export async function inspectToken(
  deps: PlaygroundDeps,
  realm: Realm,
  issuers: readonly string[],
  token: string,
): Promise<Inspection> {
  const jwt = JWS_COMPACT.test(token) ? decoded(token) : undefined;
  const format: Inspection['format'] = jwt ? 'jwt' : OPAQUE.test(token) ? 'opaque' : 'unrecognized';
  const record = format === 'unrecognized' ? undefined : await deps.tokens.find(realm, token);
  const steps: Step[] = [formatStep(format, jwt?.header)];
  if (jwt) {
    steps.push(await signatureStep(deps, realm.tenant, token, jwt.header.kid));
    steps.push(issuerStep(jwt.claims.iss, issuers));
    steps.push(timeStep(deps.now, jwt.claims.exp, jwt.claims.nbf, jwt.claims.iat));
  } else {
    steps.push(step('Signature', 'skip', 'Opaque tokens carry no signature.'));
    steps.push(
      record
        ? issuerStep(record.issuer, issuers)
        : step('Issuer', 'skip', 'Opaque tokens name no issuer; the store record would.'),
    );
    steps.push(
      record
        ? timeStep(deps.now, record.expiresAt, undefined, record.issuedAt)
        : step('Expiry and not-before', 'skip', 'No record, so no lifetime to check.'),
    );
  }
  steps.push(revocationStep(record));
  steps.push(await clientStep(deps.store, record));
  const answer = await deps.tokens.introspect({
    realm,
    token,
    caller: { kind: 'static', name: 'console-playground', tenant: realm.tenant },
  });
  return { format, header: jwt?.header, claims: jwt?.claims, steps, answer };
}

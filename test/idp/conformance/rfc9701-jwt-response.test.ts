/**
 * @module test/idp/conformance/rfc9701-jwt-response.test
 * RFC checklist (idp-standards.md §1.10) row 16: RFC 9701 signed introspection answers. A caller sending
 * `Accept: application/token-introspection+jwt` gets a JWS typed `token-introspection+jwt` with `iss` (the
 * issuer of the path asked), `aud` (the caller's client id), `iat` and `token_introspection` (the RFC 7662
 * answer), and no top-level `sub` or `exp`; it verifies with jose against the keys at the profile's JWKS
 * URL, RS256 by default. The JWKS URL comes from the discovery document where the profile has one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { Idp } from '../../../src/idp/server.ts';
import { STATIC_TOKEN } from '../support/seed-idp.ts';
import {
  AUTHKIT,
  accessToken,
  auth,
  INTROSPECTION_JWT,
  introspect,
  issuerOf,
  KEYCLOAK,
  PROFILES,
  type ProfilePaths,
  pkjwtAssertion,
  STANDARD,
  startConformanceIdp,
  withAssertion,
} from './conformance-idp.ts';

let idp: Idp;
before(async () => {
  idp = await startConformanceIdp();
});
after(() => idp.close());

/** The profile's jwks_uri: from its discovery document (authkit has none of its own: its fixed path). */
async function jwksUri(profile: ProfilePaths): Promise<string> {
  if (profile === AUTHKIT) return `${idp.url}${AUTHKIT.jwks}`;
  const response = await fetch(`${issuerOf(idp, profile)}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { jwks_uri: string }).jwks_uri;
}

/** Asks for the RFC 9701 answer and verifies it fully; returns its payload. */
async function signedAnswer(
  profile: ProfilePaths,
  token: string,
  caller: Record<string, string>,
  audience: string,
  extra: Record<string, string> = {},
): Promise<JWTPayload> {
  const answer = await introspect(idp, profile, token, { ...caller, accept: INTROSPECTION_JWT }, extra);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.headers.get('content-type'), INTROSPECTION_JWT, 'RFC 9701 §5 media type');
  const keys = createRemoteJWKSet(new URL(await jwksUri(profile)));
  const { payload, protectedHeader } = await jwtVerify(answer.text, keys, {
    issuer: issuerOf(idp, profile),
    audience,
    typ: 'token-introspection+jwt',
    algorithms: ['RS256'],
    requiredClaims: ['iss', 'aud', 'iat', 'token_introspection'],
  });
  assert.equal(
    protectedHeader.typ,
    'token-introspection+jwt',
    'explicit typing, RFC 9701 §5 / RFC 8725 §3.11',
  );
  assert.equal(protectedHeader.alg, 'RS256', 'the default (RFC 9701 §6)');
  assert.equal(payload.aud, audience, 'aud = the caller, as a string');
  assert.equal(typeof payload.iat, 'number');
  assert.equal('sub' in payload, false, 'no top-level sub (RFC 9701 §5)');
  assert.equal('exp' in payload, false, 'no top-level exp (RFC 9701 §5)');
  const inner = payload.token_introspection as Record<string, unknown>;
  assert.equal(typeof inner, 'object');
  assert.equal(typeof inner.active, 'boolean');
  return payload;
}

describe('§1.10 row 16 — RFC 9701 §4–§6: Accept: application/token-introspection+jwt → a signed JWT answer', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: an active token — typ, iss, aud = caller, iat, token_introspection = the JSON answer, no sub/exp`, async () => {
      const token = await accessToken(idp, 'owner', { scope: 'read write' });
      for (const caller of ['owner', 'resource-api'] as const) {
        const payload = await signedAnswer(profile, token, auth(caller), caller);
        const json = (await introspect(idp, profile, token, auth(caller))).json();
        assert.deepEqual(
          payload.token_introspection,
          json,
          `${caller}: the RFC 7662 answer, member for member`,
        );
        assert.equal((payload.token_introspection as Record<string, unknown>).active, true);
      }
    });

    it(`${profile.name}: an inactive or not-allowed token → token_introspection is exactly {"active":false}`, async () => {
      const token = await accessToken(idp, 'owner');
      const notAllowed = await signedAnswer(profile, token, auth('stranger'), 'stranger');
      assert.deepEqual(notAllowed.token_introspection, { active: false });
      const unknown = await signedAnswer(profile, 'no-such-token', auth('owner'), 'owner');
      assert.deepEqual(unknown.token_introspection, { active: false });
    });

    it(`${profile.name}: aud names the caller whatever its authentication (bearer token, private_key_jwt)`, async () => {
      const token = await accessToken(idp, 'owner');
      const introspectorToken = await accessToken(idp, 'introspector');
      await signedAnswer(profile, token, { authorization: `Bearer ${introspectorToken}` }, 'introspector');
      const byAssertion = await signedAnswer(
        profile,
        token,
        {},
        'pkjwt',
        withAssertion(await pkjwtAssertion(issuerOf(idp, profile))),
      );
      assert.deepEqual(byAssertion.token_introspection, { active: false }, 'pkjwt may not see owner’s token');
      await signedAnswer(profile, token, { authorization: `Bearer ${STATIC_TOKEN}` }, 'seed-000');
    });

    it(`${profile.name}: JSON when JSON is preferred or only wildcards/other JWT types are accepted`, async () => {
      const token = await accessToken(idp, 'owner');
      for (const accept of [
        'application/json',
        'application/json, application/token-introspection+jwt;q=0.5',
        '*/*',
        'application/jwt',
        'application/token-introspection+jwt;q=0',
      ]) {
        const answer = await introspect(idp, profile, token, { ...auth('owner'), accept });
        assert.equal(answer.status, 200, accept);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, accept);
        assert.equal(answer.json().active, true, accept);
      }
    });

    it(`${profile.name}: an unauthenticated caller asking for a JWT gets a 401 error, never a signed answer`, async () => {
      const token = await accessToken(idp, 'owner');
      const answer = await introspect(idp, profile, token, { accept: INTROSPECTION_JWT });
      assert.equal(answer.status, 401);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(answer.json().error, 'invalid_client');
    });
  }

  it('the signing key and algorithm are the ones the metadata and JWKS advertise', async () => {
    const token = await accessToken(idp, 'owner');
    for (const profile of [STANDARD, KEYCLOAK]) {
      const document = (await (
        await fetch(`${issuerOf(idp, profile)}/.well-known/oauth-authorization-server`)
      ).json()) as Record<string, unknown>;
      const answer = await introspect(idp, profile, token, { ...auth('owner'), accept: INTROSPECTION_JWT });
      const header = decodeProtectedHeader(answer.text);
      assert.ok(
        (document.introspection_signing_alg_values_supported as string[]).includes(header.alg as string),
        `${profile.name}: ${header.alg} advertised`,
      );
      const jwks = (await (await fetch(document.jwks_uri as string)).json()) as { keys: { kid: string }[] };
      assert.ok(
        jwks.keys.some((key) => key.kid === header.kid),
        `${profile.name}: kid ${header.kid} published`,
      );
    }
  });
});

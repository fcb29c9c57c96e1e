/**
 * @module test/idp/conformance/rfc9068-jwt-access-tokens.test
 * RFC checklist (idp-standards.md §1.10) row 18: JWT access tokens per RFC 9068. Header `typ: at+jwt`
 * (§2.1), RS256 (§2.1: MUST be supported), the required claims `iss exp aud sub client_id iat jti` (§2.2),
 * `sub` = the client id for client_credentials (§2.2), `aud` the resource server the client is configured
 * for, else the issuer (§3), each token its own `jti`; verified with jose against the profile's JWKS.
 *
 * The standard and Keycloak profiles issue RFC 9068 tokens. The authkit profile deliberately issues
 * go-authkit's (seed 000) claim set `iss sub exp jti` instead (src/idp/tokens/claim-layout.ts); only its
 * header and signature are checked here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Idp } from '../../../src/idp/server.ts';
import { postForm } from '../support/seed-idp.ts';
import {
  ALICE,
  AUTHKIT,
  accessToken,
  auth,
  issuerOf,
  KEYCLOAK,
  type ProfilePaths,
  STANDARD,
  startConformanceIdp,
  tokenResponse,
} from './conformance-idp.ts';

const REQUIRED = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

let idp: Idp;
before(async () => {
  idp = await startConformanceIdp();
});
after(() => idp.close());

async function keysOf(profile: ProfilePaths) {
  const response = await fetch(`${idp.url}${profile.jwks}`);
  assert.equal(response.status, 200);
  return createLocalJWKSet((await response.json()) as never);
}

/** Verifies `token` as an RFC 9068 access token of `profile` for `audience`; returns its claims. */
async function verifyAccessToken(token: string, profile: ProfilePaths, audience: string) {
  const { payload, protectedHeader } = await jwtVerify(token, await keysOf(profile), {
    typ: 'at+jwt',
    algorithms: ['RS256'],
    issuer: issuerOf(idp, profile),
    audience,
    requiredClaims: REQUIRED,
  });
  assert.equal(protectedHeader.typ, 'at+jwt');
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(typeof protectedHeader.kid, 'string');
  for (const claim of REQUIRED) assert.ok(claim in payload, claim);
  assert.equal(typeof payload.jti, 'string');
  assert.ok((payload.exp as number) > (payload.iat as number));
  return payload;
}

describe('§1.10 row 18 — RFC 9068 §2: JWT access tokens — typ at+jwt, iss exp aud sub client_id iat jti, sub = client id for client_credentials, RS256', () => {
  for (const profile of [STANDARD, KEYCLOAK]) {
    it(`${profile.name}: client_credentials — all seven claims, sub = client_id = the client, aud = its resource server`, async () => {
      const answer = await tokenResponse(idp, 'owner', { profile, scope: 'read' });
      const token = answer.json().access_token as string;
      const payload = await verifyAccessToken(token, profile, 'resource-api');
      assert.equal(payload.sub, 'owner');
      assert.equal(payload.client_id, 'owner');
      assert.equal(payload.aud, 'resource-api');
      assert.equal(payload.scope, 'read');
      assert.equal((payload.exp as number) - (payload.iat as number), answer.json().expires_in);
    });

    it(`${profile.name}: a client without a configured audience gets aud = the issuer (RFC 9068 §3 default resource)`, async () => {
      const token = await accessToken(idp, 'stranger', { profile });
      const payload = await verifyAccessToken(token, profile, issuerOf(idp, profile));
      assert.equal(payload.sub, 'stranger');
    });

    it(`${profile.name}: a user token — sub = the user, client_id = the client`, async () => {
      const answer = await postForm(
        `${idp.url}${profile.token}`,
        { grant_type: 'password', username: ALICE.username, password: ALICE.password },
        auth('legacy'),
      );
      assert.equal(answer.status, 200, answer.text);
      const payload = await verifyAccessToken(
        answer.json().access_token as string,
        profile,
        issuerOf(idp, profile),
      );
      assert.equal(payload.sub, ALICE.username);
      assert.equal(payload.client_id, 'legacy');
    });

    it(`${profile.name}: every token has its own jti`, async () => {
      const jtis = new Set<string>();
      for (let index = 0; index < 5; index++) {
        jtis.add(decodeJwt(await accessToken(idp, 'owner', { profile })).jti as string);
      }
      assert.equal(jtis.size, 5);
    });
  }

  it('authkit: typ at+jwt, RS256 and a signature by /idp/keys (claims are go-authkit’s by design)', async () => {
    const token = await accessToken(idp, 'stranger', { profile: AUTHKIT });
    const { payload, protectedHeader } = await jwtVerify(token, await keysOf(AUTHKIT), {
      typ: 'at+jwt',
      algorithms: ['RS256'],
      issuer: issuerOf(idp, AUTHKIT),
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'stranger', 'sub = the client for client_credentials');
  });
});

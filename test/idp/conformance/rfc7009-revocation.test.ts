/**
 * @module test/idp/conformance/rfc7009-revocation.test
 * RFC checklist (idp-standards.md §1.10) row 19: the revocation endpoint (RFC 7009). 200 with an empty body
 * for unknown tokens (§2.2); only the client the token was issued to may revoke it (§2.1), anyone else gets
 * the same 200 and the token stays active; revoking a refresh token takes the access tokens of its grant
 * with it (§2.1 SHOULD); a JWT access token is revoked by its `jti` (§3: self-contained tokens need
 * backend state), which introspection honours. Standard and Keycloak paths; go-authkit's authkit profile
 * has no revocation endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { Idp } from '../../../src/idp/server.ts';
import { basic, postForm } from '../support/seed-idp.ts';
import {
  accessToken,
  auth,
  expectInactiveEverywhere,
  FOREIGN_OWNER,
  isActive,
  REVOKING_PROFILES,
  refreshTokens,
  revoke,
  STANDARD,
  startConformanceIdp,
  userTokens,
} from './conformance-idp.ts';

let idp: Idp;
before(async () => {
  idp = await startConformanceIdp();
});
after(() => idp.close());

describe('§1.10 row 19 — RFC 7009 §2: revocation — 200 for unknown tokens, ownership checked, refresh → access cascade, JWTs revoked by jti', () => {
  for (const profile of REVOKING_PROFILES) {
    it(`${profile.name}: unknown, malformed and forged tokens → 200 with an empty body`, async () => {
      const other = await generateKeyPair('RS256');
      const forged = await new SignJWT({ jti: 'not-stored', sub: 'owner' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })
        .sign(other.privateKey);
      for (const token of ['no-such-token', 'a.b.c', forged, 'x'.repeat(2000)]) {
        for (const hint of [undefined, 'access_token', 'refresh_token']) {
          const answer = await revoke(
            idp,
            profile,
            token,
            auth('owner'),
            hint ? { token_type_hint: hint } : {},
          );
          assert.equal(answer.status, 200, `${token.slice(0, 20)} / ${hint}: ${answer.text}`);
          assert.equal(answer.text, '');
        }
      }
    });

    it(`${profile.name}: a missing token is 400 invalid_request`, async () => {
      const answer = await postForm(`${idp.url}${profile.revoke}`, '', auth('owner'));
      assert.equal(answer.status, 400);
      assert.equal(answer.json().error, 'invalid_request');
    });

    it(`${profile.name}: a client other than the owner — audience, introspector or stranger — cannot revoke`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const token = await accessToken(idp, owner);
        for (const caller of ['resource-api', 'introspector', 'stranger'] as const) {
          const answer = await revoke(idp, profile, token, auth(caller));
          assert.equal(answer.status, 200, 'the same answer as for an unknown token');
          assert.equal(answer.text, '');
          assert.equal(
            await isActive(idp, token, auth(owner)),
            true,
            `${caller} did not revoke ${owner}'s token`,
          );
        }
        const { refresh } = await userTokens(idp);
        assert.equal((await revoke(idp, profile, refresh, auth('owner'))).status, 200);
        assert.equal(
          await isActive(idp, refresh, auth('legacy')),
          true,
          'nor a refresh token of another client',
        );
        assert.equal((await revoke(idp, profile, token, auth(owner))).status, 200);
        assert.equal(await isActive(idp, token, auth(owner)), false, 'the owner can');
      }
    });

    it(`${profile.name}: revoking a refresh token makes the access tokens of its grant inactive, and it cannot be redeemed`, async () => {
      const first = await userTokens(idp);
      const second = await refreshTokens(idp, first.refresh);
      const sibling = await userTokens(idp); // another grant of the same client and user
      assert.equal((await revoke(idp, profile, second.refresh, auth('legacy'))).status, 200);
      for (const [label, token] of [
        ['the revoked refresh token', second.refresh],
        ['its access token', second.access],
        ['the access token before rotation', first.access],
      ]) {
        await expectInactiveEverywhere(idp, token, auth('legacy'), label);
      }
      const redeem = await postForm(
        `${idp.url}${profile.token}`,
        { grant_type: 'refresh_token', refresh_token: second.refresh },
        auth('legacy'),
      );
      assert.equal(redeem.status, 400);
      assert.equal(redeem.json().error, 'invalid_grant');
      assert.equal(await isActive(idp, sibling.access, auth('legacy')), true, 'another grant is untouched');
      assert.equal(await isActive(idp, sibling.refresh, auth('legacy')), true);
    });

    it(`${profile.name}: a JWT access token is revoked by its jti; it still verifies, yet introspects inactive`, async () => {
      const token = await accessToken(idp, 'owner');
      const { jti } = decodeJwt(token);
      assert.equal(typeof jti, 'string');
      assert.equal((await revoke(idp, profile, token, auth('owner'))).status, 200);
      const record = await idp.store.tokens.get('default', jti as string);
      assert.ok(record, 'stored under its jti');
      assert.equal(typeof record.revokedAt, 'number', 'the jti is marked revoked');
      const jwks = createLocalJWKSet((await (await fetch(`${idp.url}${STANDARD.jwks}`)).json()) as never);
      await jwtVerify(token, jwks); // self-contained: the signature alone cannot tell
      await expectInactiveEverywhere(idp, token, auth('owner'), 'revoked JWT');
      await expectInactiveEverywhere(idp, token, auth('resource-api'), 'revoked JWT, audience caller');
    });
  }

  it('a client of another tenant with the same client id cannot revoke a default-tenant token', async () => {
    const token = await accessToken(idp, 'owner');
    const foreign = { authorization: basic(FOREIGN_OWNER.id, FOREIGN_OWNER.secret) };
    for (const path of ['/t/foo.com/oauth2/revoke', '/realms/foo.com/protocol/openid-connect/revoke']) {
      const answer = await postForm(`${idp.url}${path}`, { token }, foreign);
      assert.equal(answer.status, 200, path);
    }
    assert.equal((await postForm(`${idp.url}${STANDARD.revoke}`, { token }, foreign)).status, 401);
    assert.equal(await isActive(idp, token, auth('owner')), true);
  });
});

/**
 * @module test/idp/conformance/rfc7523-private-key-jwt.test
 * RFC checklist (idp-standards.md §1.10) row 20: `private_key_jwt` client authentication (RFC 7523 §3,
 * draft-ietf-oauth-rfc7523bis). The issuer identifier is accepted as `aud` at every client-authenticated
 * endpoint of every profile (token, introspection, revocation: Keycloak #30599 failed at introspection),
 * and an assertion's `jti` is single-use: a replay is refused with 401 `invalid_client`, at the same
 * endpoint or another one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../../src/idp/server.ts';
import { postForm } from '../support/seed-idp.ts';
import {
  accessToken,
  issuerOf,
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

/** The client-authenticated endpoints of a profile, each with a form that is valid there. */
async function endpoints(profile: ProfilePaths): Promise<[string, string, Record<string, string>][]> {
  const list: [string, string, Record<string, string>][] = [
    ['token', profile.token, { grant_type: 'client_credentials' }],
    ['introspection', profile.introspect, { token: await accessToken(idp, 'owner') }],
  ];
  if (profile.revoke) list.push(['revocation', profile.revoke, { token: 'no-such-token' }]);
  return list;
}

describe('§1.10 row 20 — RFC 7523 §3, rfc7523bis: private_key_jwt — the issuer identifier is accepted as aud everywhere; a replayed jti is refused', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: aud = the issuer identifier is accepted at every endpoint`, async () => {
      for (const [label, path, form] of await endpoints(profile)) {
        const assertion = await pkjwtAssertion(issuerOf(idp, profile));
        const answer = await postForm(`${idp.url}${path}`, { ...form, ...withAssertion(assertion) });
        assert.equal(answer.status, 200, `${label}: ${answer.text}`);
      }
    });

    it(`${profile.name}: a replayed assertion is 401 invalid_client at the same endpoint`, async () => {
      for (const [label, path, form] of await endpoints(profile)) {
        const assertion = await pkjwtAssertion(issuerOf(idp, profile));
        const first = await postForm(`${idp.url}${path}`, { ...form, ...withAssertion(assertion) });
        assert.equal(first.status, 200, `${label}: ${first.text}`);
        const replay = await postForm(`${idp.url}${path}`, { ...form, ...withAssertion(assertion) });
        assert.equal(replay.status, 401, label);
        assert.equal(replay.json().error, 'invalid_client', label);
      }
    });

    it(`${profile.name}: an assertion used at one endpoint is refused at the others`, async () => {
      const [first, ...others] = await endpoints(profile);
      const assertion = await pkjwtAssertion(issuerOf(idp, profile));
      const used = await postForm(`${idp.url}${first[1]}`, { ...first[2], ...withAssertion(assertion) });
      assert.equal(used.status, 200, used.text);
      for (const [label, path, form] of others) {
        const replay = await postForm(`${idp.url}${path}`, { ...form, ...withAssertion(assertion) });
        assert.equal(replay.status, 401, label);
        assert.equal(replay.json().error, 'invalid_client', label);
      }
    });

    it(`${profile.name}: an assertion without jti, or for another audience, is 401 invalid_client`, async () => {
      for (const [label, path, form] of await endpoints(profile)) {
        for (const assertion of [
          await pkjwtAssertion(issuerOf(idp, profile), { jti: undefined }),
          await pkjwtAssertion('https://another-as.example'),
        ]) {
          const answer = await postForm(`${idp.url}${path}`, { ...form, ...withAssertion(assertion) });
          assert.equal(answer.status, 401, label);
          assert.equal(answer.json().error, 'invalid_client', label);
        }
      }
    });
  }

  it('the issuer identifier of the standard profile in a one-element aud array is accepted too', async () => {
    const assertion = await pkjwtAssertion([issuerOf(idp, STANDARD)]);
    const answer = await postForm(`${idp.url}${STANDARD.token}`, {
      grant_type: 'client_credentials',
      ...withAssertion(assertion),
    });
    assert.equal(answer.status, 200, answer.text);
  });
});

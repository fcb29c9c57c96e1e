/**
 * @module test/idp/conformance/rfc7662-request.test
 * RFC checklist (idp-standards.md §1.10) rows 1–6: the introspection request. POST only, with the token in
 * the body; `token` required; `token_type_hint` never an error; every caller authenticated and specifically
 * authorized; bad caller credentials a 401 `invalid_client` with a Basic challenge. Each row runs against the
 * standard (`/oauth2/…`), Keycloak (`/realms/default/protocol/openid-connect/…`) and authkit (`/idp/…`)
 * paths of one real IdP over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../../src/idp/server.ts';
import { basic, postForm, rawRequest, STATIC_TOKEN } from '../support/seed-idp.ts';
import {
  accessToken,
  auth,
  INACTIVE,
  introspect,
  isActive,
  issuerOf,
  PROFILES,
  pkjwtAssertion,
  REVOKING_PROFILES,
  revoke,
  SECRETS,
  startConformanceIdp,
  userTokens,
  withAssertion,
} from './conformance-idp.ts';

let idp: Idp;
before(async () => {
  idp = await startConformanceIdp();
});
after(() => idp.close());

describe('§1.10 row 1 — RFC 7662 §2.1, §4: introspection is a POST form; GET → 405; a token in the query string is refused', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: GET and HEAD → 405 with Allow: POST, even with the token in the query`, async () => {
      const token = await accessToken(idp, 'owner');
      for (const method of ['GET', 'HEAD']) {
        for (const query of ['', `?token=${token}`]) {
          const answer = await rawRequest(idp.url, {
            method,
            path: `${profile.introspect}${query}`,
            headers: auth('owner'),
          });
          assert.equal(answer.status, 405, `${method} ${query}`);
          assert.equal(answer.headers.allow, 'POST');
          assert.ok(!answer.body.includes('"active"'), 'no introspection answer');
        }
      }
    });

    it(`${profile.name}: POST with the token in the query string → 400 invalid_request, never an answer`, async () => {
      const token = await accessToken(idp, 'owner');
      for (const [query, body] of [
        [`?token=${token}`, ''],
        [`?token=${token}`, `token=${token}`],
        ['?token_type_hint=access_token', `token=${token}`],
      ]) {
        const answer = await rawRequest(idp.url, {
          method: 'POST',
          path: `${profile.introspect}${query}`,
          headers: { ...auth('owner'), 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        assert.equal(answer.status, 400, `${query} + ${body ? 'body' : 'no body'}`);
        assert.equal(JSON.parse(answer.body).error, 'invalid_request');
      }
    });

    it(`${profile.name}: the same token in a POST form body is answered`, async () => {
      const token = await accessToken(idp, 'owner');
      const answer = await introspect(idp, profile, token, auth('owner'));
      assert.equal(answer.status, 200);
      assert.equal(answer.json().active, true);
    });
  }
});

describe('§1.10 row 2 — RFC 7662 §2.1, RFC 6749 §5.2: missing or empty token → 400 invalid_request', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: no token, an empty token, or no body at all → 400 invalid_request`, async () => {
      for (const body of [
        '',
        'token=',
        'token_type_hint=access_token',
        'token=&token_type_hint=access_token',
      ]) {
        const answer = await postForm(`${idp.url}${profile.introspect}`, body, auth('owner'));
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(answer.json().error, 'invalid_request', JSON.stringify(body));
      }
    });
  }
});

describe('§1.10 row 3 — RFC 7662 §2.1, RFC 7009 §2.1: an unknown or wrong token_type_hint never errors; the token is still found', () => {
  const HINTS = ['access_token', 'refresh_token', 'no_such_type', 'requesting_party_token', 'urn:x:custom'];

  for (const profile of PROFILES) {
    it(`${profile.name}: a JWT access token is found under every hint`, async () => {
      const token = await accessToken(idp, 'owner');
      for (const hint of HINTS) {
        const answer = await introspect(idp, profile, token, auth('owner'), { token_type_hint: hint });
        assert.equal(answer.status, 200, `${hint}: ${answer.text}`);
        assert.equal(answer.json().active, true, hint);
      }
    });

    it(`${profile.name}: an opaque access token and a refresh token are found under every hint`, async () => {
      const opaque = await accessToken(idp, 'opaque-owner');
      const { refresh } = await userTokens(idp);
      for (const hint of HINTS) {
        const byOwner = await introspect(idp, profile, opaque, auth('opaque-owner'), {
          token_type_hint: hint,
        });
        assert.equal(byOwner.status, 200, `${hint}: ${byOwner.text}`);
        assert.equal(byOwner.json().active, true, `opaque, ${hint}`);
        const refreshAnswer = await introspect(idp, profile, refresh, auth('legacy'), {
          token_type_hint: hint,
        });
        assert.equal(refreshAnswer.status, 200, `${hint}: ${refreshAnswer.text}`);
        assert.equal(refreshAnswer.json().active, true, `refresh, ${hint}`);
      }
    });
  }

  for (const profile of REVOKING_PROFILES) {
    it(`${profile.name}: revocation with a wrong or unknown hint still revokes`, async () => {
      const jwt = await accessToken(idp, 'owner');
      const opaque = await accessToken(idp, 'opaque-owner');
      const { access, refresh } = await userTokens(idp);
      const cases: [string, string, Record<string, string>][] = [
        [jwt, 'refresh_token', auth('owner')],
        [opaque, 'no_such_type', auth('opaque-owner')],
        [refresh, 'access_token', auth('legacy')],
      ];
      for (const [token, hint, caller] of cases) {
        const answer = await revoke(idp, profile, token, caller, { token_type_hint: hint });
        assert.equal(answer.status, 200, `${hint}: ${answer.text}`);
        assert.equal(await isActive(idp, token, caller), false, `revoked despite hint ${hint}`);
      }
      assert.equal(
        await isActive(idp, access, auth('legacy')),
        false,
        'the refresh token took its access token',
      );
    });
  }
});

describe('§1.10 row 4 — RFC 7662 §2.1, §4: every introspection caller is authenticated', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: no credentials, a bare client_id, or an unknown bearer token → 401, no answer`, async () => {
      const token = await accessToken(idp, 'owner');
      const cases: [string, Record<string, string>, Record<string, string>][] = [
        ['no credentials', {}, {}],
        ['client_id only (method none), even the owner', {}, { client_id: 'owner' }],
        ['unknown bearer token', { authorization: 'Bearer not-a-token-of-this-idp' }, {}],
        ['unsupported scheme', { authorization: 'Digest username="owner"' }, {}],
      ];
      for (const [label, headers, extra] of cases) {
        const answer = await introspect(idp, profile, token, headers, extra);
        assert.equal(answer.status, 401, label);
        assert.equal(answer.json().error, 'invalid_client', label);
        assert.ok(!('active' in answer.json()), `${label}: no introspection answer`);
      }
    });

    it(`${profile.name}: each supported authentication is accepted (basic, post, private_key_jwt, bearer, static token)`, async () => {
      const token = await accessToken(idp, 'owner');
      const introspectorToken = await accessToken(idp, 'introspector');
      const issuer = issuerOf(idp, profile);
      const cases: [string, Record<string, string>, Record<string, string>][] = [
        ['client_secret_basic', auth('introspector'), {}],
        ['client_secret_post', {}, { client_id: 'introspector', client_secret: SECRETS.introspector }],
        ['private_key_jwt', {}, withAssertion(await pkjwtAssertion(issuer))],
        [
          'bearer token of a client allowed to introspect',
          { authorization: `Bearer ${introspectorToken}` },
          {},
        ],
        ['static token', { authorization: `Bearer ${STATIC_TOKEN}` }, {}],
      ];
      for (const [label, headers, extra] of cases) {
        const answer = await introspect(idp, profile, token, headers, extra);
        assert.equal(answer.status, 200, `${label}: ${answer.text}`);
      }
    });
  }

  for (const profile of REVOKING_PROFILES) {
    it(`${profile.name}: revocation without client authentication → 401 and nothing revoked`, async () => {
      const token = await accessToken(idp, 'owner');
      for (const extra of [{}, { client_id: 'owner' }] as Record<string, string>[]) {
        const answer = await revoke(idp, profile, token, {}, extra);
        assert.equal(answer.status, 401);
        assert.equal(answer.json().error, 'invalid_client');
      }
      assert.equal(await isActive(idp, token, auth('owner')), true);
    });
  }
});

describe('§1.10 row 5 — RFC 7662 §4, §2.2: callers are specifically authorized (owner, audience or permission); others get {"active":false}', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: a client neither owner, nor audience, nor with the permission → exactly {"active":false}`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const token = await accessToken(idp, owner);
        const answer = await introspect(idp, profile, token, auth('stranger'));
        assert.equal(answer.status, 200);
        assert.equal(answer.text, INACTIVE, owner);
      }
    });

    it(`${profile.name}: the owner, a client in aud and a client with canIntrospect see the token`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const token = await accessToken(idp, owner);
        for (const caller of [owner, 'resource-api', 'introspector'] as const) {
          const answer = await introspect(idp, profile, token, auth(caller));
          assert.equal(answer.json().active, true, `${caller} on ${owner}'s token`);
          assert.equal(answer.json().client_id, owner);
        }
      }
    });

    it(`${profile.name}: a bearer caller whose client lacks the permission is refused (RFC 7662 §2.3: 401)`, async () => {
      const token = await accessToken(idp, 'owner');
      const resourceToken = await accessToken(idp, 'resource-api');
      const answer = await introspect(idp, profile, token, { authorization: `Bearer ${resourceToken}` });
      assert.equal(answer.status, 401);
      assert.equal(answer.json().error, 'invalid_client');
    });
  }

  it('a client of another tenant, even with the permission, gets {"active":false} for a default-tenant token', async () => {
    const other = await startConformanceIdp({
      tenants: [{ id: 'foo.com' }],
      clients: [
        { id: 'owner', secret: SECRETS.owner },
        { id: 'tenant-rs', tenant: 'foo.com', secret: 'tenant-rs-secret', canIntrospect: true },
      ],
    });
    try {
      const token = await accessToken(other, 'owner');
      for (const path of [
        '/t/foo.com/oauth2/introspect',
        '/realms/foo.com/protocol/openid-connect/token/introspect',
      ]) {
        const answer = await postForm(
          `${other.url}${path}`,
          { token },
          { authorization: basic('tenant-rs', 'tenant-rs-secret') },
        );
        assert.equal(answer.status, 200);
        assert.equal(answer.text, INACTIVE, path);
      }
    } finally {
      await other.close();
    }
  });
});

describe('§1.10 row 6 — RFC 7662 §2.3, RFC 6749 §5.2: bad caller credentials → 401 invalid_client (+ WWW-Authenticate: Basic when Basic was used)', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: a wrong secret or an unknown client over Basic → 401 invalid_client with a Basic challenge`, async () => {
      const token = await accessToken(idp, 'owner');
      const bodies: string[] = [];
      for (const authorization of [basic('owner', 'wrong-secret'), basic('no-such-client', 'whatever')]) {
        const answer = await introspect(idp, profile, token, { authorization });
        assert.equal(answer.status, 401);
        assert.equal(answer.json().error, 'invalid_client');
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
        bodies.push(answer.text);
      }
      assert.equal(bodies[0], bodies[1], 'a wrong secret and an unknown client look the same');
    });

    it(`${profile.name}: a disabled client with the right secret → 401 invalid_client with a Basic challenge`, async () => {
      const token = await accessToken(idp, 'owner');
      const record = await idp.store.clients.get('default', 'resource-api');
      assert.ok(record);
      await idp.store.clients.put({ ...record, disabled: true });
      try {
        const answer = await introspect(idp, profile, token, auth('resource-api'));
        assert.equal(answer.status, 401);
        assert.equal(answer.json().error, 'invalid_client');
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic /);
      } finally {
        await idp.store.clients.put(record);
      }
    });

    it(`${profile.name}: a wrong client_secret_post secret or a bad assertion → 401 invalid_client`, async () => {
      const token = await accessToken(idp, 'owner');
      const post = await introspect(
        idp,
        profile,
        token,
        {},
        { client_id: 'owner', client_secret: 'wrong-secret' },
      );
      assert.equal(post.status, 401);
      assert.equal(post.json().error, 'invalid_client');
      const foreignAud = await introspect(
        idp,
        profile,
        token,
        {},
        withAssertion(await pkjwtAssertion('https://elsewhere.example')),
      );
      assert.equal(foreignAud.status, 401);
      assert.equal(foreignAud.json().error, 'invalid_client');
    });
  }
});

/**
 * @module test/idp/conformance/rfc7662-response.test
 * RFC checklist (idp-standards.md §1.10) rows 7, 8 and 11–14: the introspection answer. An inactive token,
 * for whatever reason, is exactly `{"active":false}` (compared as raw text); the server checks expiry,
 * revocation, the signature and whether the token's client and user are still live; `scope` is a
 * space-delimited string; extension members only where the IdP implements them. Rows 13 (pairwise `sub`)
 * and 14 (`cnf`) describe features the IdP does not have and are reported as skipped.
 *
 * Expiry uses clients whose tokens live 2 s: the tokens are issued and checked once at the start of the
 * file, then the file waits until their `exp` has passed (about two seconds, once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import type { Idp } from '../../../src/idp/server.ts';
import { basic, postForm } from '../support/seed-idp.ts';
import {
  ALICE,
  accessToken,
  auth,
  expectInactiveEverywhere,
  FOREIGN_OWNER,
  INACTIVE,
  introspect,
  isActive,
  KEYCLOAK,
  PROFILES,
  refreshTokens,
  revoke,
  STANDARD,
  sleep,
  startConformanceIdp,
  UMA_PERMISSION,
  userTokens,
} from './conformance-idp.ts';

/** RFC 7662 §3.1: the initial "OAuth Token Introspection Response" registry. */
const REGISTERED_MEMBERS = new Set([
  'active',
  'username',
  'client_id',
  'scope',
  'token_type',
  'exp',
  'iat',
  'nbf',
  'sub',
  'aud',
  'iss',
  'jti',
]);

interface ShortLived {
  token: string;
  owner: 'short-jwt' | 'short-opaque';
  /** The answer right after issuance. */
  fresh: Record<string, unknown>;
}

let idp: Idp;
/** Tokens of the 2 s clients, expired by the time the tests run. */
let expired: ShortLived[];

before(async () => {
  idp = await startConformanceIdp();
  expired = [];
  for (const owner of ['short-jwt', 'short-opaque'] as const) {
    const token = await accessToken(idp, owner);
    const fresh = (await introspect(idp, STANDARD, token, auth(owner))).json();
    expired.push({ token, owner, fresh });
  }
  // Until every `exp` has passed: the IdP compares whole seconds (RFC 7519 §4.1.4: invalid on or after exp).
  const latest = Math.max(...expired.map((entry) => Number(entry.fresh.exp ?? 0)));
  await sleep(Math.max(0, latest * 1000 - Date.now()) + 100);
});
after(() => idp.close());

/** Sets `disabled` on a stored client (or user) for the duration of `body`. */
async function withClientDisabled(id: string, body: () => Promise<void>): Promise<void> {
  const record = await idp.store.clients.get('default', id);
  assert.ok(record, id);
  await idp.store.clients.put({ ...record, disabled: true });
  try {
    await body();
  } finally {
    await idp.store.clients.put(record);
  }
}

describe('§1.10 row 7 — RFC 7662 §2.2, §4: inactive, unknown, expired, revoked or not-allowed → exactly {"active":false}', () => {
  const jwtShaped = (header: object, payload: object) =>
    `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2lnbmF0dXJl`;

  for (const profile of PROFILES) {
    it(`${profile.name}: unknown tokens of every shape`, async () => {
      const unknown = [
        'fbc4e794-23db-3394-b1e5-f2c3e511d01f',
        'x'.repeat(43),
        jwtShaped({ alg: 'RS256', typ: 'at+jwt', kid: 'no-such-kid' }, { sub: 'owner', jti: 'nope' }),
        'a.b.c',
        '....',
      ];
      for (const token of unknown) {
        const answer = await introspect(idp, profile, token, auth('introspector'));
        assert.equal(answer.status, 200, token);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(answer.text, INACTIVE, token);
      }
    });

    it(`${profile.name}: expired tokens (JWT and opaque), with no exp or other member left in`, async () => {
      for (const { token, owner } of expired) {
        for (const caller of [owner, 'introspector'] as const) {
          const answer = await introspect(idp, profile, token, auth(caller));
          assert.equal(answer.status, 200);
          assert.equal(answer.text, INACTIVE, `${owner}'s expired token, asked by ${caller}`);
        }
      }
    });

    it(`${profile.name}: revoked tokens and tokens the caller may not see`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const visible = await accessToken(idp, owner);
        const notAllowed = await introspect(idp, profile, visible, auth('stranger'));
        assert.equal(notAllowed.text, INACTIVE, `${owner}'s token asked by a stranger`);
        const revoked = await accessToken(idp, owner);
        assert.equal((await revoke(idp, STANDARD, revoked, auth(owner))).status, 200);
        for (const caller of [owner, 'introspector'] as const) {
          const answer = await introspect(idp, profile, revoked, auth(caller));
          assert.equal(answer.text, INACTIVE, `${owner}'s revoked token asked by ${caller}`);
        }
      }
    });

    it(`${profile.name}: the token of a disabled client`, async () => {
      const token = await accessToken(idp, 'owner');
      await withClientDisabled('owner', async () => {
        const answer = await introspect(idp, profile, token, auth('introspector'));
        assert.equal(answer.text, INACTIVE);
      });
    });
  }
});

describe('§1.10 row 8 — RFC 7662 §4: the server checks expiry, not-yet-valid, revocation, signature and client/user liveness', () => {
  it('expiry: a 2 s token is active when issued and inactive once exp has passed (JWT and opaque, every path)', async () => {
    for (const { token, owner, fresh } of expired) {
      assert.equal(fresh.active, true, `${owner}'s token was active when issued`);
      assert.equal(Number(fresh.exp) - Number(fresh.iat), 2, 'lives 2 s');
      await expectInactiveEverywhere(idp, token, auth(owner), `${owner} after exp`);
    }
  });

  it('not yet valid: a token whose record says it is issued an hour from now is inactive', async () => {
    const token = await accessToken(idp, 'owner');
    const jti = decodeJwt(token).jti as string;
    const record = await idp.store.tokens.get('default', jti);
    assert.ok(record);
    await idp.store.tokens.put({
      ...record,
      issuedAt: record.issuedAt + 3600,
      expiresAt: record.expiresAt + 3600,
    });
    try {
      await expectInactiveEverywhere(idp, token, auth('owner'), 'issued in the future');
    } finally {
      await idp.store.tokens.put(record);
    }
    assert.equal(await isActive(idp, token, auth('owner')), true, 'active again with the real record');
  });

  it('revocation: a revoked JWT and a revoked opaque token are inactive on every path', async () => {
    for (const owner of ['owner', 'opaque-owner'] as const) {
      const token = await accessToken(idp, owner);
      assert.equal(await isActive(idp, token, auth(owner)), true);
      assert.equal((await revoke(idp, KEYCLOAK, token, auth(owner))).status, 200);
      await expectInactiveEverywhere(idp, token, auth(owner), `${owner} revoked`);
    }
  });

  it('signature: a JWT with the IdP kid and a stored jti but signed by another key is inactive', async () => {
    const genuine = await accessToken(idp, 'owner');
    const header = decodeProtectedHeader(genuine);
    const claims = decodeJwt(genuine);
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: header.kid })
      .sign(other.privateKey);
    const foreignKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'attacker-key' })
      .sign(other.privateKey);
    for (const [label, token] of [
      ['same kid, other key', forged],
      ['unknown kid, other key', foreignKid],
    ]) {
      await expectInactiveEverywhere(idp, token, auth('owner'), label);
    }
    assert.equal(await isActive(idp, genuine, auth('owner')), true, 'the genuine token stays active');
  });

  it('signature: a tampered payload, alg none and an HS256 token keyed with the public key are inactive', async () => {
    const genuine = await accessToken(idp, 'owner');
    const [encodedHeader, , signature] = genuine.split('.');
    const header = decodeProtectedHeader(genuine);
    const claims = decodeJwt(genuine);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered = `${encodedHeader}.${encode({ ...claims, scope: 'read write admin' })}.${signature}`;
    const none = `${encode({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${encode(claims)}.`;
    const jwks = (await (await fetch(`${idp.url}${STANDARD.jwks}`)).json()) as { keys: JWK[] };
    const publicJwk = jwks.keys.find((key) => key.kid === header.kid);
    assert.ok(publicJwk);
    const publicKey = await importJWK(publicJwk, 'RS256');
    assert.ok(!(publicKey instanceof Uint8Array));
    const publicPem = await exportSPKI(publicKey);
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid })
      .sign(new TextEncoder().encode(publicPem));
    for (const [label, token] of [
      ['tampered payload', tampered],
      ['alg none', none],
      ['HS256 with the public key', confused],
    ]) {
      await expectInactiveEverywhere(idp, token, auth('owner'), label);
    }
  });

  it('signature: a JWT signed by the IdP for another tenant is not a token of this tenant', async () => {
    const answer = await postForm(
      `${idp.url}/t/foo.com/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(FOREIGN_OWNER.id, FOREIGN_OWNER.secret) },
    );
    assert.equal(answer.status, 200, answer.text);
    const foreign = answer.json().access_token as string;
    // The default tenant's `owner` has the same client id; the token is still not its.
    await expectInactiveEverywhere(idp, foreign, auth('owner'), 'foo.com token at the default tenant');
    await expectInactiveEverywhere(idp, foreign, auth('introspector'), 'foo.com token, introspector');
  });

  it('client liveness: tokens of a disabled or deleted client are inactive, and active again once it is back', async () => {
    for (const owner of ['owner', 'opaque-owner'] as const) {
      const token = await accessToken(idp, owner);
      await withClientDisabled(owner, () =>
        expectInactiveEverywhere(idp, token, auth('introspector'), `${owner} disabled`),
      );
      assert.equal(await isActive(idp, token, auth('introspector')), true, `${owner} re-enabled`);
      const record = await idp.store.clients.get('default', owner);
      assert.ok(record);
      await idp.store.clients.delete('default', owner);
      try {
        await expectInactiveEverywhere(idp, token, auth('introspector'), `${owner} deleted`);
      } finally {
        await idp.store.clients.put(record);
      }
    }
  });

  it('user liveness: the access and refresh tokens of a disabled user are inactive', async () => {
    const { access, refresh } = await userTokens(idp);
    const user = await idp.store.users.get('default', ALICE.username);
    assert.ok(user);
    await idp.store.users.put({ ...user, disabled: true });
    try {
      await expectInactiveEverywhere(idp, access, auth('legacy'), 'access token of a disabled user');
      await expectInactiveEverywhere(idp, refresh, auth('legacy'), 'refresh token of a disabled user');
    } finally {
      await idp.store.users.put(user);
    }
    assert.equal(await isActive(idp, access, auth('legacy')), true);
  });

  it('grant liveness: a refresh token already exchanged (rotated, RFC 9700 §4.14.2) is inactive', async () => {
    const first = await userTokens(idp);
    const second = await refreshTokens(idp, first.refresh);
    assert.equal(
      await isActive(idp, second.refresh, auth('legacy')),
      true,
      'the new refresh token is active',
    );
    // The token endpoint refuses the spent one (and would revoke the grant); introspection must agree.
    await expectInactiveEverywhere(idp, first.refresh, auth('legacy'), 'spent refresh token');
  });
});

describe('§1.10 row 11 — RFC 7662 §2.2: scope in an active answer is a space-delimited string', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: JWT and opaque tokens with scopes "read write"; a refresh token with "read"`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const token = await accessToken(idp, owner, { scope: 'read write' });
        const answer = (await introspect(idp, profile, token, auth(owner))).json();
        assert.equal(answer.active, true);
        assert.equal(typeof answer.scope, 'string', `${owner}: ${JSON.stringify(answer.scope)}`);
        assert.deepEqual((answer.scope as string).split(' '), ['read', 'write']);
      }
      const granted = await postForm(
        `${idp.url}${STANDARD.token}`,
        { grant_type: 'password', username: ALICE.username, password: ALICE.password, scope: 'read' },
        auth('legacy'),
      );
      const refresh = granted.json().refresh_token as string;
      const refreshAnswer = (await introspect(idp, profile, refresh, auth('legacy'))).json();
      assert.equal(refreshAnswer.scope, 'read');
    });
  }

  it('a token issued at the Keycloak path has the same string scope', async () => {
    const token = await accessToken(idp, 'owner', { profile: KEYCLOAK, scope: 'write read' });
    const answer = (await introspect(idp, KEYCLOAK, token, auth('owner'))).json();
    assert.equal(answer.scope, 'write read');
  });
});

describe('§1.10 row 12 — RFC 7662 §2.2, §3.1: extension members are registered or collision-resistant', () => {
  for (const profile of [STANDARD, KEYCLOAK]) {
    it(`${profile.name}: an ordinary active answer uses only registered member names`, async () => {
      for (const owner of ['owner', 'opaque-owner'] as const) {
        const token = await accessToken(idp, owner, { scope: 'read' });
        const answer = (await introspect(idp, profile, token, auth(owner))).json();
        assert.equal(answer.active, true);
        const unregistered = Object.keys(answer).filter((name) => !REGISTERED_MEMBERS.has(name));
        assert.deepEqual(unregistered, [], `${owner}: ${JSON.stringify(answer)}`);
      }
      const { access } = await userTokens(idp);
      const user = (await introspect(idp, profile, access, auth('legacy'))).json();
      assert.deepEqual(
        Object.keys(user).filter((name) => !REGISTERED_MEMBERS.has(name)),
        [],
        JSON.stringify(user),
      );
    });
  }

  it('keycloak: the unregistered `permissions` extension appears only for token_type_hint=requesting_party_token', async () => {
    const token = await accessToken(idp, 'uma', { profile: KEYCLOAK });
    const plain = (await introspect(idp, KEYCLOAK, token, auth('uma'))).json();
    assert.equal(plain.active, true);
    assert.equal('permissions' in plain, false, 'not without the RPT hint');
    const rpt = (
      await introspect(idp, KEYCLOAK, token, auth('uma'), { token_type_hint: 'requesting_party_token' })
    ).json();
    assert.deepEqual(rpt.permissions, [UMA_PERMISSION]);
  });
});

describe('§1.10 row 13 — RFC 7662 §5, RFC 9701 §5/§9: privacy — per-resource-server minimization, pairwise sub', () => {
  it.skip(
    'not implemented: the IdP has no pairwise subject identifiers and no per-caller narrowing of answers (only go-authkit’s caller-requested scope_filter)',
  );
});

describe('§1.10 row 14 — RFC 8705 §3.2, RFC 9449: cnf (x5t#S256 / jkt) for proof-of-possession tokens', () => {
  it.skip(
    'not implemented: the IdP issues no certificate-bound or DPoP-bound tokens (tls_client_auth authenticates clients only), so no answer carries cnf',
  );
});

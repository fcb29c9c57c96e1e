/**
 * @module test/idp/conformance/rfc7662-operations.test
 * RFC checklist (idp-standards.md §1.10) rows 9, 10 and 15: what surrounds the answers. No token or
 * secret in any log line (the IdP's pino logger captured at trace level while every kind of credential
 * crosses it); `Cache-Control: no-store` on token and introspection answers, plus `Pragma: no-cache` on
 * token answers; a per-caller rate limit on introspection and revocation (429 with `Retry-After`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../../src/idp/server.ts';
import { basic, postForm, rawRequest, STATIC_TOKEN } from '../support/seed-idp.ts';
import {
  ALICE,
  AUTHKIT,
  accessToken,
  auth,
  capturingLogger,
  INTROSPECTION_JWT,
  introspect,
  issuerOf,
  KEYCLOAK,
  PROFILES,
  pkjwtAssertion,
  REVOKING_PROFILES,
  refreshTokens,
  revoke,
  SECRETS,
  STANDARD,
  sleep,
  startConformanceIdp,
  tokenResponse,
  userTokens,
  withAssertion,
} from './conformance-idp.ts';

/** Waits (bounded) until `lines` holds `count` access-log lines: they are written when a response finishes. */
async function accessLines(lines: string[], count: number): Promise<string[]> {
  const completed = () => lines.filter((line) => line.includes('response completed'));
  for (let attempt = 0; attempt < 100 && completed().length < count; attempt++) await sleep(10);
  return completed();
}

/** The secrets of a test and where they appear in `lines`. */
function leaks(lines: readonly string[], secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    lines.forEach((line, index) => {
      if (line.includes(secret)) found.push(`${name} in line ${index}: ${line.slice(0, 200)}`);
    });
  }
  return found;
}

describe('§1.10 row 9 — RFC 7662 §4, RFC 6750 §5.3: no token or secret in the logs', () => {
  let idp: Idp;
  let lines: string[];
  before(async () => {
    const capture = capturingLogger();
    lines = capture.lines;
    idp = await startConformanceIdp({}, capture.logger);
  });
  after(() => idp.close());

  it('tokens, refresh tokens, client secrets, passwords, Basic headers and assertions never reach a log line', async () => {
    let requests = 0;
    const count = <T>(value: T) => {
      requests++;
      return value;
    };
    const secrets: Record<string, string> = {};
    for (const [client, secret] of Object.entries(SECRETS)) {
      secrets[`secret of ${client}`] = secret;
      secrets[`Basic header of ${client}`] = basic(client, secret).slice('Basic '.length);
    }
    secrets['password of alice'] = ALICE.password;
    secrets['static token'] = STATIC_TOKEN;
    const wrongSecret = 'wrong-secret-never-logged-6b1f';
    secrets['a wrong secret'] = wrongSecret;

    // Tokens of every kind, by every client authentication method and profile.
    const jwt = count(await accessToken(idp, 'owner', { scope: 'read write' }));
    const opaque = count(await accessToken(idp, 'opaque-owner', { profile: KEYCLOAK }));
    const authkit = count(await accessToken(idp, 'owner', { profile: AUTHKIT }));
    const introspectorToken = count(await accessToken(idp, 'introspector'));
    const posted = count(
      await postForm(`${idp.url}${STANDARD.token}`, {
        grant_type: 'client_credentials',
        client_id: 'stranger',
        client_secret: SECRETS.stranger,
      }),
    ).json().access_token as string;
    const assertion = await pkjwtAssertion(issuerOf(idp, STANDARD));
    const pkjwt = count(
      await postForm(`${idp.url}${STANDARD.token}`, {
        grant_type: 'client_credentials',
        ...withAssertion(assertion),
      }),
    ).json().access_token as string;
    const first = count(await userTokens(idp));
    const second = count(await refreshTokens(idp, first.refresh));
    Object.assign(secrets, {
      'JWT access token': jwt,
      'JWT signature': jwt.split('.')[2],
      'opaque access token': opaque,
      'authkit access token': authkit,
      'introspector token': introspectorToken,
      'client_secret_post token': posted,
      'private_key_jwt assertion': assertion,
      'private_key_jwt assertion signature': assertion.split('.')[2],
      'private_key_jwt token': pkjwt,
      'user access token': first.access,
      'refresh token': first.refresh,
      'rotated access token': second.access,
      'rotated refresh token': second.refresh,
    });

    // Introspection by every caller kind, JSON and RFC 9701; failures; revocation.
    for (const profile of PROFILES) {
      count(await introspect(idp, profile, jwt, auth('owner')));
      count(await introspect(idp, profile, opaque, { authorization: `Bearer ${introspectorToken}` }));
      count(await introspect(idp, profile, first.refresh, { authorization: `Bearer ${STATIC_TOKEN}` }));
      count(await introspect(idp, profile, jwt, { ...auth('owner'), accept: INTROSPECTION_JWT }));
      count(await introspect(idp, profile, jwt, { authorization: basic('owner', wrongSecret) }));
      count(await introspect(idp, profile, jwt, {}, { client_id: 'owner', client_secret: wrongSecret }));
      count(await introspect(idp, profile, jwt, { authorization: `Bearer ${posted}` }));
      count(await introspect(idp, profile, jwt, {}, withAssertion(assertion))); // replayed: refused
    }
    count(
      await postForm(
        `${idp.url}${STANDARD.token}`,
        { grant_type: 'password', username: ALICE.username, password: wrongSecret },
        auth('legacy'),
      ),
    );
    count(await revoke(idp, STANDARD, pkjwt, auth('stranger')));
    count(
      await revoke(idp, KEYCLOAK, posted, {}, { client_id: 'stranger', client_secret: SECRETS.stranger }),
    );

    // Tokens and secrets in URLs, which the endpoints refuse but the access log still sees.
    for (const profile of PROFILES) {
      for (const query of [
        `token=${jwt}`,
        `access_token=${opaque}`,
        `x=1&TOKEN=${authkit}`,
        `refresh_token=${first.refresh}&client_secret=${SECRETS.owner}`,
        `client_assertion=${assertion}`,
        `password=${ALICE.password}`,
      ]) {
        for (const method of ['GET', 'POST']) {
          count(
            await rawRequest(idp.url, {
              method,
              path: `${profile.introspect}?${query}`,
              headers: auth('owner'),
            }),
          );
        }
      }
    }
    count(await rawRequest(idp.url, { method: 'GET', path: `/no/such/path?token=${jwt}` }));
    // A spent refresh token presented again (reuse detection revokes the grant).
    count(
      await postForm(
        `${idp.url}${STANDARD.token}`,
        { grant_type: 'refresh_token', refresh_token: first.refresh },
        auth('legacy'),
      ),
    );

    const logged = await accessLines(lines, requests);
    assert.ok(logged.length >= requests, `${logged.length} access-log lines for ${requests} requests`);
    assert.ok(
      lines.some((line) => line.includes('client authentication failed')),
      'failures are logged',
    );
    assert.ok(
      logged.some((line) => line.includes('/oauth2/introspect?token=[redacted]')),
      'URLs are logged, redacted',
    );
    assert.deepEqual(leaks(lines, secrets), []);
  });

  it('a token in a percent-encoded query parameter name (%74oken=, access%5Ftoken=) is not logged either', async () => {
    const firstLine = lines.length;
    const completed = (await accessLines(lines, 0)).length;
    const token = await accessToken(idp, 'owner');
    const queries = [`%74oken=${token}`, `access%5Ftoken=${token}`, `client%5Fsecret=${SECRETS.owner}`];
    for (const query of queries) {
      const answer = await rawRequest(idp.url, {
        method: 'POST',
        path: `${STANDARD.introspect}?${query}`,
        headers: auth('owner'),
      });
      assert.equal(answer.status, 400, 'refused');
    }
    const logged = await accessLines(lines, completed + 1 + queries.length);
    assert.equal(logged.length, completed + 1 + queries.length, 'every request logged');
    assert.deepEqual(leaks(lines.slice(firstLine), { token, 'owner secret': SECRETS.owner }), []);
  });
});

describe('§1.10 row 10 — RFC 6749 §5.1, RFC 7662 §2.2: Cache-Control: no-store on token and introspection answers, Pragma: no-cache on token answers', () => {
  let idp: Idp;
  before(async () => {
    idp = await startConformanceIdp();
  });
  after(() => idp.close());

  for (const profile of PROFILES) {
    it(`${profile.name}: token answers (success and errors) carry no-store and no-cache`, async () => {
      const answers = [
        ['client_credentials', await tokenResponse(idp, 'owner', { profile })],
        [
          'password grant',
          await postForm(
            `${idp.url}${profile.token}`,
            { grant_type: 'password', username: ALICE.username, password: ALICE.password },
            auth('legacy'),
          ),
        ],
        [
          'invalid_scope',
          await postForm(
            `${idp.url}${profile.token}`,
            { grant_type: 'client_credentials', scope: 'admin' },
            auth('owner'),
          ),
        ],
        [
          'invalid_client',
          await postForm(
            `${idp.url}${profile.token}`,
            { grant_type: 'client_credentials' },
            { authorization: basic('owner', 'x') },
          ),
        ],
      ] as const;
      for (const [label, answer] of answers) {
        assert.equal(answer.headers.get('cache-control'), 'no-store', label);
        assert.equal(answer.headers.get('pragma'), 'no-cache', label);
      }
      assert.equal(answers[0][1].status, 200);
      assert.equal(answers[1][1].status, 200);
    });

    it(`${profile.name}: introspection answers (active, inactive, RFC 9701 JWT) carry no-store`, async () => {
      const token = await accessToken(idp, 'owner');
      const answers = [
        ['active', await introspect(idp, profile, token, auth('owner'))],
        ['inactive', await introspect(idp, profile, 'unknown-token', auth('owner'))],
        ['not allowed', await introspect(idp, profile, token, auth('stranger'))],
        ['RFC 9701', await introspect(idp, profile, token, { ...auth('owner'), accept: INTROSPECTION_JWT })],
      ] as const;
      for (const [label, answer] of answers) {
        assert.equal(answer.status, 200, label);
        assert.equal(answer.headers.get('cache-control'), 'no-store', label);
      }
    });
  }

  for (const profile of REVOKING_PROFILES) {
    it(`${profile.name}: revocation answers carry no-store too`, async () => {
      const token = await accessToken(idp, 'owner');
      const answer = await revoke(idp, profile, token, auth('owner'));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
    });
  }
});

describe('§1.10 row 15 — RFC 7662 §4, RFC 7009 §5: a per-caller rate limit on introspection and revocation → 429 with Retry-After', () => {
  let idp: Idp;
  before(async () => {
    // Two requests at once, then one per minute: the third request of a caller is over the limit.
    idp = await startConformanceIdp({ introspection: { rateLimit: { perCaller: 1, burst: 2 } } });
  });
  after(() => idp.close());

  function expectLimited(answer: { status: number; headers: Headers; json: () => Record<string, unknown> }) {
    assert.equal(answer.status, 429);
    assert.equal(answer.json().error, 'slow_down');
    const retryAfter = answer.headers.get('retry-after') ?? '';
    assert.match(retryAfter, /^\d+$/, 'Retry-After in delta-seconds (RFC 9110 §10.2.3)');
    assert.ok(Number(retryAfter) >= 1);
  }

  // Distinct callers per test: the buckets are per caller, shared by every path.
  const callers = { standard: 'owner', keycloak: 'resource-api', authkit: 'stranger' } as const;
  const others = { standard: 'introspector', keycloak: 'uma', authkit: 'short-jwt' } as const;

  for (const profile of PROFILES) {
    it(`${profile.name}: introspection — the third request of a caller is 429; another caller is unaffected`, async () => {
      const caller = callers[profile.name];
      const statuses: number[] = [];
      for (let index = 0; index < 2; index++) {
        statuses.push((await introspect(idp, profile, `probe-${index}`, auth(caller))).status);
      }
      assert.deepEqual(statuses, [200, 200]);
      expectLimited(await introspect(idp, profile, 'probe-2', auth(caller)));
      expectLimited(await introspect(idp, STANDARD, 'probe-3', auth(caller)));
      assert.equal((await introspect(idp, profile, 'probe-4', auth(others[profile.name]))).status, 200);
    });
  }

  it('the limit is per caller identity, whatever the path: a caller limited on one profile is limited on the others', async () => {
    for (let index = 0; index < 2; index++) {
      assert.equal((await introspect(idp, STANDARD, `probe-${index}`, auth('short-opaque'))).status, 200);
    }
    for (const profile of PROFILES) {
      expectLimited(await introspect(idp, profile, 'probe', auth('short-opaque')));
    }
  });

  const revokers = { standard: 'opaque-owner', keycloak: 'legacy' } as const;
  for (const profile of REVOKING_PROFILES) {
    it(`${profile.name}: revocation — the third request of a caller is 429`, async () => {
      const caller = revokers[profile.name as keyof typeof revokers];
      for (let index = 0; index < 2; index++) {
        assert.equal((await revoke(idp, profile, `probe-${index}`, auth(caller))).status, 200);
      }
      expectLimited(await revoke(idp, profile, 'probe-2', auth(caller)));
    });
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StubIdp, startStubIdp } from '../../test/support/stub-idp.ts';
import { requireRole } from '../authz/roles.ts';
import { requireScopes } from '../authz/scopes.ts';
import { tokenDigest } from '../cache/key.ts';
import { LruCache } from '../cache/lru-cache.ts';
import type { AuthConfigInput } from '../config/schema.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import type { Authenticator } from './authenticator.ts';
import { createAuthenticator } from './create-authenticator.ts';

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function rejection(promise: Promise<unknown>): Promise<TokenguardError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TokenguardError, `expected a TokenguardError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('Authenticator', () => {
  let idp: StubIdp;
  const open: Authenticator[] = [];
  const make = (config: AuthConfigInput, extra: Parameters<typeof createAuthenticator>[0] = {}) => {
    const authenticator = createAuthenticator({ config, ...extra });
    open.push(authenticator);
    return authenticator;
  };

  before(async () => {
    idp = await startStubIdp();
  });
  after(async () => {
    await Promise.all(open.map((authenticator) => authenticator.close()));
    await idp.close();
  });

  describe('local JWT verification', () => {
    it('accepts a signed token of a trusted issuer and caches the verified claims', async () => {
      const auth = make({ jwt: { trustedIssuerUrls: [idp.issuer] } });
      const token = await idp.sign({ sub: 'alice', scope: 'read write' });
      const principal = await auth.authenticate(bearer(token));
      assert.equal(principal.subject, 'alice');
      assert.equal(principal.method, 'jwt');
      assert.deepEqual([...principal.scopes], ['read', 'write']);
      const jwksFetches = idp.hits.get('/jwks');
      const again = await auth.authenticate(bearer(token));
      assert.equal(again, principal, 'a cache hit returns the memoized principal');
      assert.equal(idp.hits.get('/jwks'), jwksFetches);
    });

    it('rejects an untrusted issuer, an expired token and a malformed one with 401', async () => {
      const auth = make({ jwt: { trustedIssuerUrls: ['https://other.example'] } });
      const untrusted = await rejection(auth.authenticate(bearer(await idp.sign({ sub: 'a' }))));
      assert.equal(untrusted.code, 'authenticationFailed');
      assert.equal(untrusted.reason, 'jwt_issuer_untrusted');

      const trusting = make({ jwt: { trustedIssuerUrls: [idp.issuer] } });
      const expired = await rejection(trusting.authenticate(bearer(await idp.sign({ sub: 'a', exp: 1000 }))));
      assert.equal(expired.httpStatus, 401);
      const malformed = await rejection(trusting.authenticate(bearer('not-a-jwt')));
      assert.equal(malformed.reason, 'token_malformed');
    });

    it('re-validates exp on a cache hit (a cached token that expires is refused)', async () => {
      let now = Date.now();
      const auth = make({ jwt: { trustedIssuerUrls: [idp.issuer] } }, { now: () => now });
      const exp = Math.floor(now / 1000) + 60;
      const token = await idp.sign({ sub: 'bob', exp });
      await auth.authenticate(bearer(token));
      now = exp * 1000 + 1;
      const error = await rejection(auth.authenticate(bearer(token)));
      assert.equal(error.code, 'authenticationFailed');
    });
  });

  describe('introspection', () => {
    const staticConfig = (extra: Record<string, unknown> = {}) => ({
      introspection: {
        endpoint: `${idp.url}/introspect`,
        clientAuth: { accessToken: 'access-token-with-introspection-permission' },
        ...extra,
      },
    });

    it('introspects at the static endpoint with our bearer credentials and returns the claims', async () => {
      const auth = make(staticConfig());
      const token = await idp.sign({ sub: 'user' });
      const before = idp.calls.length;
      const principal = await auth.authenticate(bearer(token), { requestId: 'req-1' });
      assert.equal(principal.subject, 'user');
      assert.equal(principal.method, 'introspection');
      const call = idp.calls[before];
      assert.equal(call.form.get('token'), token);
      assert.equal(call.headers.authorization, 'Bearer access-token-with-introspection-permission');
      assert.equal(call.headers['x-request-id'], 'req-1');
    });

    it('introspects opaque tokens at the static endpoint', async () => {
      const auth = make(staticConfig());
      idp.opaque.set('b1a4e2f0-opaque', { sub: 'svc', client_id: 'svc', scope: 'read' });
      const principal = await auth.authenticate(bearer('b1a4e2f0-opaque'));
      assert.equal(principal.clientId, 'svc');
    });

    it('finds the endpoint by discovery from the trusted issuer (seed 000) and adds introspection-time roles', async () => {
      const auth = make({
        jwt: { trustedIssuerUrls: [idp.issuer] },
        introspection: {
          enabled: true,
          clientAuth: { accessToken: 'access-token-with-introspection-permission' },
        },
      });
      idp.extraClaims.set('admin2', { scope: [{ rn: 'my_service', role: 'admin' }] });
      const token = await idp.sign({ sub: 'admin2' });
      const principal = await auth.check(bearer(token), {
        authorize: requireRole({ namespace: 'my_service', role: 'admin' }),
      });
      assert.equal(principal.subject, 'admin2');
      assert.ok((idp.hits.get('/.well-known/openid-configuration') ?? 0) >= 1);
    });

    it('refuses an inactive token with 401 and does not cache it unless the negative cache is on', async () => {
      const auth = make(staticConfig());
      const before = idp.calls.length;
      for (let i = 0; i < 2; i++) {
        const error = await rejection(auth.authenticate(bearer('unknown-token')));
        assert.equal(error.reason, 'token_inactive');
        assert.equal(error.httpStatus, 401);
      }
      assert.equal(idp.calls.length - before, 2);

      const negative = make(staticConfig({ negativeCache: { enabled: true, ttl: '1m' } }));
      const start = idp.calls.length;
      await rejection(negative.authenticate(bearer('unknown-token-2')));
      await rejection(negative.authenticate(bearer('unknown-token-2')));
      assert.equal(idp.calls.length - start, 1);
    });

    it('caps the cache TTL by the token exp and by the configured max TTL', async () => {
      let now = Date.now();
      const auth = make(staticConfig({ claimsCache: { ttl: '10m' } }), { now: () => now });
      const exp = Math.floor(now / 1000) + 120;
      const token = await idp.sign({ sub: 'carol', exp });
      const start = idp.calls.length;
      await auth.authenticate(bearer(token));
      now += 60_000;
      await auth.authenticate(bearer(token));
      assert.equal(idp.calls.length - start, 1, 'served from cache within exp');
      now = exp * 1000 + 1;
      await rejection(auth.authenticate(bearer(token)));

      let clock = Date.now();
      const short = make(staticConfig({ claimsCache: { ttl: '30s' } }), { now: () => clock });
      const long = await idp.sign({ sub: 'dave' });
      const mark = idp.calls.length;
      await short.authenticate(bearer(long));
      clock += 31_000;
      await short.authenticate(bearer(long));
      assert.equal(idp.calls.length - mark, 2, 'refetched after the max TTL');
    });

    it('makes one IdP call for many concurrent requests with one token (single-flight)', async () => {
      const auth = make(staticConfig());
      const token = await idp.sign({ sub: 'herd' });
      const start = idp.calls.length;
      const principals = await Promise.all(
        Array.from({ length: 200 }, () => auth.authenticate(bearer(token))),
      );
      assert.equal(idp.calls.length - start, 1);
      assert.ok(principals.every((principal) => principal.subject === 'herd'));
    });

    it('keeps answers of two endpoints apart even in one shared cache', async () => {
      const shared = new LruCache({ maxEntries: 100 });
      const other = await startStubIdp();
      try {
        const first = make(staticConfig(), { caches: { introspection: shared } });
        const second = make(
          { introspection: { endpoint: `${other.url}/introspect`, clientAuth: { accessToken: 'x' } } },
          { caches: { introspection: shared } },
        );
        const token = await idp.sign({ sub: 'mallory' });
        await first.authenticate(bearer(token));
        const error = await rejection(second.authenticate(bearer(token)));
        assert.equal(error.reason, 'token_inactive', 'the other IdP does not know the token');
        assert.equal(other.calls.length, 1, 'the second endpoint was asked, not answered from cache');
      } finally {
        await other.close();
      }
    });

    it('keys a cache passed in by namespace prefix and token digest, and its own cache by the digest', async () => {
      const token = await idp.sign({ sub: 'keys' });
      const passedIn = new LruCache({ maxEntries: 10 });
      const keys: string[] = [];
      const set = passedIn.set.bind(passedIn);
      passedIn.set = (key, answer, ttl) => {
        keys.push(key);
        set(key, answer, ttl);
      };
      await make(staticConfig(), { caches: { introspection: passedIn } }).authenticate(bearer(token));
      assert.deepEqual(keys, [`${keys[0]?.slice(0, 22)}.${tokenDigest(token)}`]);
      assert.match(keys[0] ?? '', /^[\w-]{22}\./, 'a 22-character namespace prefix');
      // The pipeline's own cache serves one route: the same eviction by digest reaches it.
      const own = make(staticConfig());
      await own.authenticate(bearer(token));
      assert.equal(await own.evictTokenHashes([tokenDigest(token)]), 1);
      assert.equal(own.checkCached(bearer(token)), undefined);
    });

    it('re-runs authorization on a cache hit', async () => {
      const auth = make(staticConfig());
      const token = await idp.sign({ sub: 'eve', scope: 'read' });
      await auth.check(bearer(token), { authorize: requireScopes(['read']) });
      const error = await rejection(auth.check(bearer(token), { authorize: requireScopes(['write']) }));
      assert.equal(error.code, 'authorizationFailed');
      assert.deepEqual(error.requiredScopes, ['write']);
      assert.match(error.challenge('api') ?? '', /error="insufficient_scope", scope="write"/);
    });

    for (const [name, answer, reason, retryAfter] of [
      [
        '429 with Retry-After',
        { status: 429, body: '', headers: { 'retry-after': '7' } },
        'idp_throttled',
        7,
      ],
      ['503', { status: 503, body: 'down' }, 'idp_unavailable', undefined],
      ['401 for our credentials', { status: 401, body: '' }, 'idp_rejected_our_credentials', undefined],
      ['a non-JSON 200', { status: 200, body: '<html>' }, 'idp_bad_response', undefined],
      ['a 200 without active', { status: 200, body: '{"sub":"x"}' }, 'idp_bad_response', undefined],
    ] as const) {
      it(`fails closed with 503 when the IdP answers ${name}`, async () => {
        const auth = make(staticConfig(), {});
        idp.answer = () => answer;
        try {
          const error = await rejection(auth.authenticate(bearer(`token-${name.length}`)));
          assert.equal(error.code, 'serviceUnavailable');
          assert.equal(error.httpStatus, 503);
          assert.equal(error.reason, reason);
          if (retryAfter !== undefined) assert.equal(error.retryAfter, retryAfter);
          assert.ok((error.retryAfter ?? 0) > 0, 'a Retry-After is always given');
        } finally {
          idp.answer = undefined;
        }
      });
    }

    it('fails closed with 503 when the IdP is too slow or unreachable', async () => {
      const slow = make({ ...staticConfig(), httpClient: { requestTimeout: '200ms', retries: 0 } });
      idp.answer = () => ({ status: 200, body: '{"active":true}', delayMs: 1000 });
      try {
        const error = await rejection(slow.authenticate(bearer('slow-token')));
        assert.equal(error.reason, 'idp_timeout');
      } finally {
        idp.answer = undefined;
      }
      const down = make({
        introspection: { endpoint: 'http://127.0.0.1:1/introspect', clientAuth: { accessToken: 'x' } },
        httpClient: { retries: 0 },
      });
      const error = await rejection(down.authenticate(bearer('any-token')));
      assert.equal(error.code, 'serviceUnavailable');
      assert.equal(error.reason, 'idp_unreachable');
    });

    it('answers cache hits synchronously through checkCached, with every check re-run', async () => {
      let now = Date.now();
      const auth = make(staticConfig(), { now: () => now });
      const exp = Math.floor(now / 1000) + 60;
      const request = bearer(await idp.sign({ sub: 'grace', scope: 'read', exp }));
      assert.equal(auth.checkCached(request), undefined, 'a miss asks for the async path');
      await auth.check(request);
      assert.equal(auth.checkCached(request)?.subject, 'grace');
      assert.throws(
        () => auth.checkCached(request, { authorize: requireScopes(['write']) }),
        (error: unknown) => error instanceof TokenguardError && error.code === 'authorizationFailed',
      );
      now = exp * 1000 + 1;
      assert.equal(auth.checkCached(request), undefined, 'the cache drops an entry at its token exp');
      const expired = await rejection(auth.check(request));
      assert.equal(expired.code, 'authenticationFailed', 'and the async path refuses the expired claims');
      assert.throws(
        () => auth.checkCached({ headers: {} }),
        (error: unknown) => error instanceof TokenguardError && error.code === 'bearerTokenMissing',
      );
    });

    it('drops a cached answer on invalidate(token)', async () => {
      const auth = make(staticConfig());
      const token = await idp.sign({ sub: 'frank' });
      const start = idp.calls.length;
      await auth.authenticate(bearer(token));
      await auth.invalidate(token);
      await auth.authenticate(bearer(token));
      assert.equal(idp.calls.length - start, 2);
    });
  });

  it('reports a missing token as bearerTokenMissing with a bare challenge', async () => {
    const auth = make({});
    const error = await rejection(auth.authenticate({ headers: {} }));
    assert.equal(error.code, 'bearerTokenMissing');
    assert.equal(error.challenge('MyService'), 'Bearer realm="MyService"');
  });
});

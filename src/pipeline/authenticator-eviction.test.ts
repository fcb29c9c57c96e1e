/**
 * @module pipeline/authenticator-eviction.test
 * The eviction API revocation events use (`evictTokenHashes`, `evictMatching`, `flush`) against a real
 * stub IdP: evicted answers are fetched again, others stay cached, caches that cannot select entries are
 * cleared, and an answer fetched before an eviction is not stored after it.
 */
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import { LruCache } from '../cache/lru-cache.ts';
import type { TokenCache } from '../cache/types.ts';
import type { AuthConfigInput } from '../config/schema.ts';
import { type AuthenticatorOptions, createAuthenticator } from './create-authenticator.ts';
import { capturedLogger, holdAnswers, usePipelineSuite } from './test-support/pipeline-fixtures.ts';

const bearer = (token: string, tenant?: string) => ({
  headers: { authorization: `Bearer ${token}`, ...(tenant ? { 'x-tenant': tenant } : {}) },
});
/** What a revocation event carries: SHA-256 of the token, base64url. */
const tokenHash = (token: string) => hash('sha256', token, 'base64url');

describe('Authenticator eviction', () => {
  const suite = usePipelineSuite();

  function make(
    introspection: NonNullable<AuthConfigInput['introspection']> = {},
    extra: Omit<AuthenticatorOptions, 'config'> = {},
    config: AuthConfigInput = {},
  ) {
    const auth = createAuthenticator({
      config: {
        ...config,
        introspection: {
          endpoint: `${suite.idp.url}/introspect`,
          clientAuth: { accessToken: 'access-token-with-introspection-permission' },
          ...introspection,
        },
      },
      ...extra,
    });
    suite.track(auth);
    return auth;
  }

  /** IdP calls made while running `work`. */
  async function callsDuring(work: () => Promise<unknown>): Promise<number> {
    const start = suite.idp.calls.length;
    await work();
    return suite.idp.calls.length - start;
  }

  it('evictTokenHashes drops exactly the named tokens, with or without forwarded-values keys', async () => {
    const auth = make();
    const [revoked, kept] = [await suite.idp.sign({ sub: 'r1' }), await suite.idp.sign({ sub: 'k1' })];
    await auth.check(bearer(revoked));
    await auth.check(bearer(kept));
    assert.equal(await auth.evictTokenHashes([tokenHash(revoked), tokenHash('never-seen')]), 1);
    assert.equal(auth.checkCached(bearer(revoked)), undefined);
    assert.ok(auth.checkCached(bearer(kept)));
    assert.equal(await callsDuring(() => auth.check(bearer(revoked))), 1);

    const forwarding = make({ forwardHeaders: ['x-tenant'] });
    await forwarding.check(bearer(revoked, 'acme'));
    await forwarding.check(bearer(revoked, 'globex'));
    await forwarding.check(bearer(kept, 'acme'));
    assert.equal(await forwarding.evictTokenHashes([tokenHash(revoked)]), 2, 'every variant of the token');
    assert.equal(forwarding.checkCached(bearer(revoked, 'acme')), undefined);
    assert.equal(forwarding.checkCached(bearer(revoked, 'globex')), undefined);
    assert.ok(forwarding.checkCached(bearer(kept, 'acme')));
  });

  it('evictTokenHashes reaches locally verified JWTs too', async () => {
    const jwtCache = new LruCache({ maxEntries: 10 });
    const auth = createAuthenticator({
      config: { jwt: { trustedIssuerUrls: [suite.idp.issuer] } },
      caches: { jwt: jwtCache },
    });
    suite.track(auth);
    const token = await suite.idp.sign({ sub: 'local' });
    await auth.check(bearer(token));
    assert.equal(jwtCache.size, 1);
    assert.equal(await auth.evictTokenHashes([tokenHash(token)]), 1);
    assert.equal(jwtCache.size, 0);
  });

  it('evictMatching drops answers by subject (within the issuer), client or jti, and no others', async () => {
    const auth = make();
    const alice1 = await suite.idp.sign({ sub: 'alice', jti: 'a-1' });
    const alice2 = await suite.idp.sign({ sub: 'alice', jti: 'a-2', client_id: 'app' });
    const bob = await suite.idp.sign({ sub: 'bob', jti: 'b-1', client_id: 'app' });
    const carol = await suite.idp.sign({ sub: 'carol', jti: 'c-1' });
    for (const token of [alice1, alice2, bob, carol]) await auth.check(bearer(token));

    assert.equal(await auth.evictMatching({ subject: 'alice', issuer: 'https://other.example' }), 0);
    assert.equal(await auth.evictMatching({ subject: 'alice', issuer: suite.idp.issuer }), 2);
    assert.equal(await auth.evictMatching({ clientId: 'app' }), 1, 'bob (alice2 is gone already)');
    assert.equal(await auth.evictMatching({ jtis: ['c-1', 'x-9'] }), 1);
    assert.equal(await callsDuring(() => auth.check(bearer(alice1))), 1);

    const untouched = make();
    await untouched.check(bearer(carol));
    assert.equal(await untouched.evictMatching({ subject: 'nobody' }), 0);
    assert.ok(untouched.checkCached(bearer(carol)));
  });

  it('flush clears every cache, the negative one included', async () => {
    const auth = make({ negativeCache: { enabled: true } });
    const token = await suite.idp.sign({ sub: 'flushed' });
    await auth.check(bearer(token));
    await assert.rejects(auth.check(bearer('unknown-token-flush')), { reason: 'token_inactive' });
    await auth.flush();
    assert.equal(auth.checkCached(bearer(token)), undefined);
    const calls = await callsDuring(async () => {
      await auth.check(bearer(token));
      await assert.rejects(auth.check(bearer('unknown-token-flush')), { reason: 'token_inactive' });
    });
    assert.equal(calls, 2);
  });

  it('clears a cache that cannot select entries, with one warning', async () => {
    const inner = new LruCache({ maxEntries: 10 });
    // A cache with only the required methods (a minimal custom or shared cache).
    const plain: TokenCache = {
      get: (key) => inner.get(key),
      set: (key, answer, ttl) => inner.set(key, answer, ttl),
      delete: (key) => {
        inner.delete(key);
      },
      clear: () => inner.clear(),
    };
    const { logger, lines } = capturedLogger();
    const auth = make({ forwardHeaders: ['x-tenant'] }, { caches: { introspection: plain }, logger });
    const [one, two] = [await suite.idp.sign({ sub: 'one' }), await suite.idp.sign({ sub: 'two' })];
    await auth.check(bearer(one, 'acme'));
    await auth.check(bearer(two, 'acme'));
    await auth.evictTokenHashes([tokenHash(one)]);
    await auth.evictMatching({ subject: 'two' });
    assert.equal(inner.size, 0, 'cleared: too much is safe, too little is not');
    await new Promise((resolve) => setImmediate(resolve));
    const warnings = lines.filter((line) => String(line.msg).includes('clearing it instead'));
    assert.equal(warnings.length, 1, 'warned once per cache');
  });

  it('does not store an answer fetched before an eviction that happened while it was in flight', async () => {
    const auth = make();
    const token = await suite.idp.sign({ sub: 'racing' });
    const held = holdAnswers(suite.idp, {
      status: 200,
      body: JSON.stringify({ active: true, sub: 'racing' }),
    });
    try {
      const pending = auth.check(bearer(token));
      await held.arrived;
      await auth.evictTokenHashes([tokenHash(token)]);
      held.release();
      assert.equal((await pending).subject, 'racing', 'the caller still gets its answer');
    } finally {
      suite.idp.answer = undefined;
    }
    assert.equal(auth.checkCached(bearer(token)), undefined, 'but it was not cached');
    assert.equal(await callsDuring(() => auth.check(bearer(token))), 1);
    assert.ok(auth.checkCached(bearer(token)), 'the next answer is cached as usual');
  });
});

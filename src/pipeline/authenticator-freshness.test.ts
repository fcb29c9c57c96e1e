/**
 * @module pipeline/authenticator-freshness.test
 * Cache freshness bounds (Kong's cache_ttl_min / cache_ttl / default) and `staleIfError` (Kong's
 * cache_ttl_resurrect) through the whole pipeline, against a real stub IdP that is made to fail: a stale
 * answer is served only when the IdP is unavailable, only while the token lives, never after the IdP said
 * "inactive", and never from the synchronous fast path.
 */
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from '../../test/support/assertions.ts';
import type { AuthConfigInput } from '../config/schema.ts';
import { type AuthOutcome, noopMetrics } from '../observability/metrics.ts';
import { createAuthenticator } from './create-authenticator.ts';
import { capturedLogger, holdAnswers, usePipelineSuite } from './test-support/pipeline-fixtures.ts';

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const DOWN = { status: 503, body: 'down', headers: { 'retry-after': '7' } };

describe('Authenticator cache freshness', () => {
  const suite = usePipelineSuite();

  /** An authenticator on a hand-moved clock, recording its log lines and authentication outcomes. */
  function setup(introspection: NonNullable<AuthConfigInput['introspection']>) {
    const clock = { now: Date.now() };
    const { logger, lines } = capturedLogger();
    const outcomes: AuthOutcome[] = [];
    const auth = createAuthenticator({
      config: {
        introspection: {
          endpoint: `${suite.idp.url}/introspect`,
          clientAuth: { accessToken: 'access-token-with-introspection-permission' },
          ...introspection,
        },
        httpClient: { retries: 0 },
      },
      logger,
      metrics: { ...noopMetrics, authentication: (outcome) => outcomes.push(outcome) },
      now: () => clock.now,
    });
    suite.track(auth);
    return { auth, clock, lines, outcomes, calls: () => suite.idp.calls.length };
  }

  /** The 503 of an unavailable IdP: what the caller gets when no stale answer may stand in. */
  const unavailable = (promise: Promise<unknown>) =>
    rejectsWith(promise, 'serviceUnavailable', 'idp_unavailable');

  async function whileDown<T>(run: () => Promise<T>): Promise<T> {
    suite.idp.answer = () => DOWN;
    try {
      return await run();
    } finally {
      suite.idp.answer = undefined;
    }
  }

  it('serves a stale answer when the IdP is unavailable, warns, and retries after Retry-After', async () => {
    const { auth, clock, lines, outcomes, calls } = setup({
      claimsCache: { ttl: '30s' },
      staleIfError: '5m',
    });
    const request = bearer(await suite.idp.sign({ sub: 'stale-alice' }));
    const start = calls();
    await auth.check(request);
    clock.now += 31_000;
    assert.equal(auth.checkCached(request), undefined, 'the fast path never serves a stale answer');

    await whileDown(async () => {
      const principal = await auth.check(request);
      assert.equal(principal.subject, 'stale-alice');
      assert.equal(calls() - start, 2, 'the IdP was asked first');
      assert.equal(auth.checkCached(request)?.subject, 'stale-alice', 'fresh again for the Retry-After');
      clock.now += 6_000;
      await auth.check(request);
      assert.equal(calls() - start, 2, 'no call to a failing IdP before its Retry-After');
      clock.now += 2_000;
      await auth.check(request);
      assert.equal(calls() - start, 3, 'asked again after the Retry-After');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const warning = lines.find((line) => line.msg === 'serving stale introspection answer');
    assert.ok(warning, 'a warning names the fallback');
    assert.equal(warning.level, 'warn');
    assert.match(String(warning.token_hash), /^[\w-]{16}$/);
    assert.equal(warning.error_reason, 'idp_unavailable');
    assert.ok(!JSON.stringify(lines).includes(request.headers.authorization.slice(7)), 'no token logged');
    assert.deepEqual(outcomes, ['active', 'stale', 'stale']);

    clock.now += 8_000;
    await auth.check(request);
    assert.equal(outcomes.at(-1), 'active', 'the IdP back: a fresh answer replaces the stale one');
    assert.equal(calls() - start, 4);
  });

  it('stops serving it after the staleIfError window, and fails closed', async () => {
    const { auth, clock } = setup({ claimsCache: { ttl: '30s' }, staleIfError: '1m' });
    const request = bearer(await suite.idp.sign({ sub: 'window' }));
    await auth.check(request);
    clock.now += 30_000 + 60_000;
    const error = await whileDown(() => unavailable(auth.check(request)));
    assert.equal(error.retryAfter, 7);
  });

  it('never serves stale past the token exp, nor for a token without exp, nor when off (default)', async () => {
    const stale = setup({ claimsCache: { ttl: '30s' }, staleIfError: '1h' });
    const exp = Math.floor(stale.clock.now / 1000) + 45;
    const short = bearer(await suite.idp.sign({ sub: 'short', exp }));
    await stale.auth.check(short);
    stale.clock.now = exp * 1000 + 1;
    await whileDown(() => unavailable(stale.auth.check(short)));

    suite.idp.opaque.set('opaque-without-exp', { sub: 'no-exp' });
    await stale.auth.check(bearer('opaque-without-exp'));
    stale.clock.now += 31_000;
    await whileDown(() => unavailable(stale.auth.check(bearer('opaque-without-exp'))));

    const off = setup({ claimsCache: { ttl: '30s' } });
    const request = bearer(await suite.idp.sign({ sub: 'off' }));
    await off.auth.check(request);
    off.clock.now += 31_000;
    await whileDown(() => unavailable(off.auth.check(request)));
    assert.ok(!off.outcomes.includes('stale'));
  });

  it('never serves stale after the IdP said the token is inactive', async () => {
    const { auth, clock } = setup({ claimsCache: { ttl: '30s' }, staleIfError: '5m' });
    const request = bearer(await suite.idp.sign({ sub: 'revoked-later' }));
    await auth.check(request);
    clock.now += 31_000;
    suite.idp.answer = () => ({ status: 200, body: '{"active":false}' });
    try {
      await rejectsWith(auth.check(request), 'authenticationFailed', 'token_inactive');
    } finally {
      suite.idp.answer = undefined;
    }
    await whileDown(() => unavailable(auth.check(request))); // the old active answer is gone
  });

  it('never serves stale once the token was evicted while the IdP was being asked', async () => {
    const { auth, clock } = setup({ claimsCache: { ttl: '30s' }, staleIfError: '5m' });
    const token = await suite.idp.sign({ sub: 'revoked-meanwhile' });
    await auth.check(bearer(token));
    clock.now += 31_000;
    const held = holdAnswers(suite.idp, DOWN);
    try {
      const pending = unavailable(auth.check(bearer(token)));
      await held.arrived;
      await auth.evictTokenHashes([hash('sha256', token, 'base64url')]);
      held.release();
      await pending;
    } finally {
      suite.idp.answer = undefined;
    }
  });

  it('keeps an answer without exp for defaultTtl, within [minTtl, ttl]', async () => {
    const { auth, clock, calls } = setup({ claimsCache: { ttl: '1m', defaultTtl: '10s', minTtl: '5s' } });
    suite.idp.opaque.set('opaque-default-ttl', { sub: 'svc' });
    const request = bearer('opaque-default-ttl');
    const start = calls();
    await auth.check(request);
    clock.now += 9_000;
    assert.ok(auth.checkCached(request), 'fresh within defaultTtl');
    clock.now += 1_000;
    assert.equal(auth.checkCached(request), undefined);
    await auth.check(request);
    assert.equal(calls() - start, 2);
  });
});

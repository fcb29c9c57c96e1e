/**
 * @module gateway/forward/forward.test
 * The pieces of what goes upstream: claim paths and their header text, header values refused for control
 * characters, credential removal from query strings and cookies, and the plan of each token source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../../claims/principal.ts';
import { authConfigSchema } from '../../config/schema.ts';
import { silentLogger } from '../../observability/logger.ts';
import type { TokenSourceKind } from '../../token/types.ts';
import { forwardSchema } from '../config/schema.ts';
import { claimAt, headerText, splitClaimPath } from './claim-value.ts';
import { withoutCookie, withoutParam, withoutQueryParam } from './credential.ts';
import { safeHeaderValue } from './header-value.ts';
import { createIdentityForwarder } from './identity-headers.ts';
import { createRoutePlanner } from './plan.ts';

describe('claim values', () => {
  it('splits dotted paths with escapes and finds own members only', () => {
    assert.deepEqual(splitClaimPath('a.b\\.c.d'), ['a', 'b.c', 'd']);
    const claims = { a: { 'b.c': { d: 1 } }, list: [1, 2] };
    assert.equal(claimAt(claims, ['a', 'b.c', 'd']), 1);
    assert.equal(claimAt(claims, ['a', 'x']), undefined);
    assert.equal(claimAt(claims, ['list', '0']), undefined, 'arrays are not walked into');
    assert.equal(claimAt(claims, ['__proto__']), undefined);
    assert.equal(claimAt(claims, ['constructor']), undefined);
  });

  it('writes strings as they are, scalars as JSON, scalar arrays joined, the rest as JSON', () => {
    assert.equal(headerText('x y'), 'x y');
    assert.equal(headerText(3), '3');
    assert.equal(headerText(false), 'false');
    assert.equal(headerText(['a', 1, true]), 'a,1,true');
    assert.equal(headerText([{ rn: 'x' }]), '[{"rn":"x"}]');
    assert.equal(headerText({ a: 1 }), '{"a":1}');
    assert.equal(headerText(null), undefined);
    assert.equal(headerText(undefined), undefined);
  });

  it('refuses control characters, sends UTF-8 text as its bytes', () => {
    assert.equal(safeHeaderValue('a\r\nb'), undefined);
    assert.equal(safeHeaderValue('a\nb'), undefined);
    assert.equal(safeHeaderValue('a\0b'), undefined);
    assert.equal(safeHeaderValue('a\x7fb'), undefined);
    assert.equal(safeHeaderValue('a\tb'), 'a\tb');
    const sent = safeHeaderValue('é€');
    assert.equal(Buffer.from(sent ?? '', 'latin1').toString('utf8'), 'é€');
  });
});

describe('credential removal', () => {
  it('cuts a parameter out of a query or form, other pairs untouched', () => {
    assert.equal(withoutParam('a=1&access_token=x&b=%2F', 'access_token'), 'a=1&b=%2F');
    assert.equal(withoutParam('access%5Ftoken=x&access_token=y&c', 'access_token'), 'c');
    assert.equal(withoutQueryParam('/p?access_token=x', 'access_token'), '/p');
    assert.equal(withoutQueryParam('/p?a=1&access_token=x', 'access_token'), '/p?a=1');
    assert.equal(withoutQueryParam('/p', 'access_token'), '/p');
  });

  it('cuts a cookie out of the Cookie header', () => {
    assert.equal(withoutCookie('a=1; tg=x; b=2', 'tg'), 'a=1; b=2');
    assert.equal(withoutCookie('tg=x', 'tg'), '');
    assert.equal(withoutCookie('tgx=1;tg=2', 'tg'), 'tgx=1');
  });
});

/** The value of a planner call that must not need a promise (no phantom token). */
function now<T>(value: T | Promise<T>): T {
  assert.ok(!(value instanceof Promise), 'answered synchronously');
  return value as T;
}

describe('route planner', () => {
  const sources = authConfigSchema.parse({
    tokenSources: { query: { enabled: true }, cookie: { enabled: true, name: 'tg' } },
  }).tokenSources;
  const principal = buildPrincipal({ active: true, sub: 'alice', ext: { tenant: 'acme' } }, 'introspection');
  const forward = forwardSchema.parse({ headers: { 'X-User': 'sub', 'X-Tenant': 'ext.tenant' } });
  const identity = createIdentityForwarder({ route: 'r', forward, logger: silentLogger });
  const spoofable = new Set(['x-user', 'x-tenant', 'x-other']);
  const planner = createRoutePlanner({ forward, sources, spoofable, identity });

  it('removes every spoofable header and sets the identity headers', () => {
    assert.deepEqual(planner.anonymous('id-1'), {
      removeHeaders: spoofable,
      setHeaders: {},
      requestId: 'id-1',
    });
    const at = (request: { headers: Record<string, string>; url?: string }, source: TokenSourceKind) =>
      now(planner.authenticated(request, principal, { token: 't', source }, 'id-2'));
    const { plan } = at({ headers: {} }, 'header');
    assert.deepEqual([...plan.removeHeaders].sort(), ['authorization', 'x-other', 'x-tenant', 'x-user']);
    assert.deepEqual(plan.setHeaders, { 'x-user': 'alice', 'x-tenant': 'acme' });
  });

  it('rewrites the query or the cookies when the token came from there', () => {
    const at = (request: { headers: Record<string, string>; url?: string }, source: TokenSourceKind) =>
      now(planner.authenticated(request, principal, { token: 't', source }, 'id'));
    const fromQuery = at({ headers: {}, url: '/a?access_token=t&x=1' }, 'query');
    assert.equal(fromQuery.url, '/a?x=1');
    assert.ok(!fromQuery.plan.removeHeaders.has('authorization'));
    assert.equal(at({ headers: { cookie: 'a=1; tg=t' } }, 'cookie').plan.setHeaders.cookie, 'a=1');
    assert.ok(at({ headers: { cookie: 'tg=t' } }, 'cookie').plan.removeHeaders.has('cookie'));
  });
});

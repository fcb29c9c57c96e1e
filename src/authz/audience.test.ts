/**
 * @module authz/audience.test
 * `requireAudience` over both shapes of `aud` (RFC 7519 §4.1.3), in any and all modes, with globs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { requireAudience } from './audience.ts';
import { allOf, anyOf } from './combinators.ts';
import { requireScopes } from './scopes.ts';

const orders = buildPrincipal({ aud: 'https://orders.api.example.com' }, 'jwt');
const both = buildPrincipal({ aud: ['orders', 'billing'], scope: 'read' }, 'introspection');
const none = buildPrincipal({ sub: 'u' }, 'jwt');

describe('requireAudience', () => {
  it('passes when any listed value is in aud (default), whether aud is a string or an array', () => {
    const authorizer = requireAudience(['billing', 'https://orders.api.example.com']);
    assert.equal(authorizer.check(orders), true);
    assert.equal(authorizer.check(both), true);
    assert.equal(authorizer.check(none), false, 'no aud never passes');
    assert.equal(authorizer.description, 'requireAudience(billing OR https://orders.api.example.com)');
  });

  it('in all mode, needs every listed value', () => {
    const authorizer = requireAudience(['orders', 'billing'], { match: 'all' });
    assert.equal(authorizer.check(both), true);
    assert.equal(authorizer.check(buildPrincipal({ aud: ['orders'] }, 'jwt')), false);
    assert.equal(authorizer.description, 'requireAudience(orders AND billing)');
  });

  it('matches globs, which never cross a slash', () => {
    const authorizer = requireAudience(['https://*.api.example.com']);
    assert.equal(authorizer.check(orders), true);
    assert.equal(
      authorizer.check(buildPrincipal({ aud: 'https://evil.example/x.api.example.com' }, 'jwt')),
      false,
    );
    const all = requireAudience(['https://*.api.example.com', 'billing'], { match: 'all' });
    assert.equal(all.check(buildPrincipal({ aud: ['billing', 'https://a.api.example.com'] }, 'jwt')), true);
    assert.equal(all.check(buildPrincipal({ aud: ['billing'] }, 'jwt')), false);
  });

  it('composes with allOf / anyOf', () => {
    const authorizer = allOf(requireAudience(['orders']), requireScopes(['read']));
    assert.equal(authorizer.check(both), true);
    assert.equal(authorizer.check(orders), false);
    assert.equal(anyOf(requireAudience(['nope']), requireAudience(['billing'])).check(both), true);
    assert.equal(authorizer.description, 'allOf(requireAudience(orders), requireScopes(read))');
  });

  it('rejects an empty list, an empty value and a bad match at start-up', () => {
    const path = { code: 'configInvalid', path: 'requireAudience' };
    assert.throws(() => requireAudience([]), path);
    assert.throws(() => requireAudience(['a', '']), path);
    assert.throws(() => requireAudience(['a'], { match: 'some' as 'any' }), path);
  });
});

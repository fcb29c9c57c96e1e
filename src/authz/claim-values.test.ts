/**
 * @module authz/claim-values.test
 * Kong's `*_required` semantics over claim paths: items OR, space-separated words AND, on string, array
 * and scalar claims.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { requireClaimValues } from './claim-values.ts';
import { allOf } from './combinators.ts';
import { requireIssuer } from './issuer.ts';

const principal = (claims: Record<string, unknown>) => buildPrincipal(claims, 'introspection');

describe('requireClaimValues', () => {
  it('reads separate items as OR and the words of an item as AND (Kong)', () => {
    const authorizer = requireClaimValues('groups', ['staff ops', 'root']);
    assert.equal(authorizer.check(principal({ groups: ['ops', 'staff', 'dev'] })), true);
    assert.equal(authorizer.check(principal({ groups: ['root'] })), true);
    assert.equal(authorizer.check(principal({ groups: ['staff'] })), false, 'staff alone is half of an AND');
    assert.equal(authorizer.check(principal({ sub: 'x' })), false, 'a missing claim fails');
    assert.equal(authorizer.description, 'requireClaimValues(groups: (staff AND ops) OR root)');
  });

  it('takes a space-separated string claim word by word, never by substring', () => {
    const authorizer = requireClaimValues('scope', ['read write']);
    assert.equal(authorizer.check(principal({ scope: 'write  read admin' })), true);
    assert.equal(authorizer.check(principal({ scope: 'readwrite' })), false);
    assert.equal(authorizer.check(principal({ scope: 'read' })), false);
  });

  it('compares a scalar claim, and numbers and booleans by their JSON text', () => {
    assert.equal(requireClaimValues('tier', ['gold']).check(principal({ tier: 'gold' })), true);
    assert.equal(requireClaimValues('level', ['3']).check(principal({ level: 3 })), true);
    assert.equal(requireClaimValues('flags', ['true 7']).check(principal({ flags: [true, 7] })), true);
    assert.equal(requireClaimValues('tier', ['gold']).check(principal({ tier: { gold: 1 } })), false);
    assert.equal(requireClaimValues('tier', ['gold']).check(principal({ tier: null })), false);
  });

  it('follows nested paths, dotted or as key arrays (for claim names with dots)', () => {
    const nested = principal({
      realm_access: { roles: ['admin', 'user'] },
      'https://example.com/claims': { tier: 'gold' },
    });
    assert.equal(requireClaimValues('realm_access.roles', ['admin']).check(nested), true);
    assert.equal(requireClaimValues(['realm_access', 'roles'], ['auditor']).check(nested), false);
    assert.equal(requireClaimValues(['https://example.com/claims', 'tier'], ['gold']).check(nested), true);
    assert.equal(requireClaimValues('https://example.com/claims.tier', ['gold']).check(nested), false);
    assert.equal(requireClaimValues('constructor', ['x']).check(nested), false, 'own members only');
  });

  it('composes with the other authorizers', () => {
    const authorizer = allOf(requireIssuer(['https://idp']), requireClaimValues('groups', ['ops']));
    assert.equal(authorizer.check(principal({ iss: 'https://idp', groups: 'ops' })), true);
    assert.equal(authorizer.check(principal({ iss: 'https://other', groups: 'ops' })), false);
  });

  it('rejects bad paths and empty requirements at start-up', () => {
    const invalid = { code: 'configInvalid', path: 'requireClaimValues' };
    assert.throws(() => requireClaimValues('', ['a']), invalid);
    assert.throws(() => requireClaimValues('a..b', ['a']), invalid);
    assert.throws(() => requireClaimValues([], ['a']), invalid);
    assert.throws(() => requireClaimValues('groups', []), invalid);
    assert.throws(() => requireClaimValues('groups', ['ops', '  ']), invalid);
    assert.throws(() => requireClaimValues('groups', [42 as unknown as string]), invalid);
  });
});

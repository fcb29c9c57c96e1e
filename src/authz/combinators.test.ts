/**
 * @module authz/combinators.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { allOf, anyOf, not } from './combinators.ts';
import { requireRole } from './roles.ts';
import { requireScopes } from './scopes.ts';
import type { Authorizer } from './types.ts';

const admin = requireRole({ namespace: 'my_service', role: 'admin' });
const read = requireScopes(['read']);
const write = requireScopes(['write', 'read']);

const adminReader = buildPrincipal({ scope: [{ rn: 'my_service', role: 'admin' }, 'read'] as never }, 'jwt');
const reader = buildPrincipal({ scope: 'read' }, 'jwt');
const nobody = buildPrincipal({}, 'jwt');

describe('allOf', () => {
  it('passes only when every child passes', () => {
    const authorizer = allOf(admin, read);
    assert.equal(authorizer.check(adminReader), true);
    assert.equal(authorizer.check(reader), false);
    assert.equal(authorizer.check(nobody), false);
  });

  it('requires the union of the children scopes, in order, once each', () => {
    assert.deepEqual(allOf(read, admin, write).requiredScopes, ['read', 'write']);
    assert.equal(allOf(admin).requiredScopes, undefined);
  });

  it('stops at the first failing child', () => {
    let calls = 0;
    const counting: Authorizer = { description: 'counting', check: () => ++calls > 0 };
    allOf(read, counting).check(nobody);
    assert.equal(calls, 0);
  });
});

describe('anyOf', () => {
  it('passes when one child passes', () => {
    const authorizer = anyOf(admin, read);
    assert.equal(authorizer.check(reader), true);
    assert.equal(authorizer.check(nobody), false);
    assert.deepEqual(authorizer.requiredScopes, ['read']);
  });
});

describe('not', () => {
  it('inverts its child and requires no scope', () => {
    const authorizer = not(admin);
    assert.equal(authorizer.check(reader), true);
    assert.equal(authorizer.check(adminReader), false);
    assert.equal(not(read).requiredScopes, undefined);
  });
});

describe('combinators', () => {
  it('nest, and describe the tree', () => {
    const authorizer = allOf(read, anyOf(admin, not(write)));
    assert.equal(authorizer.check(reader), true);
    assert.equal(authorizer.check(adminReader), true);
    assert.equal(
      authorizer.description,
      'allOf(requireScopes(read), anyOf(requireRole(my_service/admin), not(requireScopes(write AND read))))',
    );
  });

  it('reject an empty list or a non-authorizer at start-up', () => {
    assert.throws(() => allOf(), { code: 'configInvalid', detail: 'allOf: authorizers must not be empty' });
    assert.throws(() => anyOf(), { code: 'configInvalid', detail: 'anyOf: authorizers must not be empty' });
    assert.throws(() => anyOf(read, {} as Authorizer), {
      code: 'configInvalid',
      detail: 'anyOf: argument 2 is not an authorizer',
    });
    assert.throws(() => not(undefined as unknown as Authorizer), {
      code: 'configInvalid',
      detail: 'not: argument 1 is not an authorizer',
    });
  });
});

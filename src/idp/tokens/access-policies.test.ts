/**
 * @module idp/tokens/access-policies.test
 * Merging token and introspection-time policies, and go-authkit's scope filter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterPolicies, mergePolicies } from './access-policies.ts';

const ADMIN = { rn: 'my_service', role: 'admin' };
const VIEWER = { rn: 'billing', role: 'viewer' };

describe('mergePolicies', () => {
  it('keeps the first of equal policies whatever their member order, in order', () => {
    assert.deepEqual(mergePolicies([ADMIN], [{ role: 'admin', rn: 'my_service' }, VIEWER]), [ADMIN, VIEWER]);
  });

  it('tells apart policies differing in any member', () => {
    const tenantScoped = { ...ADMIN, tid: '42' };
    assert.deepEqual(mergePolicies([ADMIN], [tenantScoped]), [ADMIN, tenantScoped]);
  });
});

describe('filterPolicies', () => {
  it('keeps only policies of the listed namespaces, exactly matched', () => {
    assert.deepEqual(filterPolicies([ADMIN, VIEWER, { role: 'x' }], ['billing']), [VIEWER]);
    assert.deepEqual(filterPolicies([ADMIN], ['My_Service']), []);
  });

  it('keeps everything without a filter or with an empty one', () => {
    assert.deepEqual(filterPolicies([ADMIN, VIEWER], undefined), [ADMIN, VIEWER]);
    assert.deepEqual(filterPolicies([ADMIN, VIEWER], []), [ADMIN, VIEWER]);
  });
});

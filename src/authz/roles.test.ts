/**
 * @module authz/roles.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { requireRole, requireRoleIn } from './roles.ts';

/** The introspection answer for admin2 in seed 000. */
const seedAdmin = buildPrincipal(
  {
    active: true,
    iss: 'http://127.0.0.1:8081',
    sub: 'admin2',
    exp: 1728294729,
    jti: 'fdcd234b-bf0a-4814-a523-8626e6b4006c',
    scope: [{ rn: 'my_service', role: 'admin' }],
  },
  'introspection',
);
/** The token for `user` in seed 000 before introspection: no access policies. */
const seedUser = buildPrincipal({ iss: 'http://127.0.0.1:8081', sub: 'user', exp: 1728294869 }, 'jwt');

const keycloak = buildPrincipal(
  {
    realm_access: { roles: ['offline_access', 'auditor'] },
    resource_access: { my_service: { roles: ['editor'] }, account: { roles: ['manage-account'] } },
  },
  'jwt',
);

describe('requireRole', () => {
  it('grants through a go-authkit access policy (seed 000)', () => {
    const authorizer = requireRole({ namespace: 'my_service', role: 'admin' });
    assert.equal(authorizer.check(seedAdmin), true);
    assert.equal(authorizer.check(seedUser), false);
    assert.equal(authorizer.description, 'requireRole(my_service/admin)');
  });

  it('needs both the namespace and the role of one policy', () => {
    const principal = buildPrincipal(
      {
        scope: [
          { rn: 'my_service', role: 'viewer' },
          { rn: 'other', role: 'admin' },
        ],
      },
      'jwt',
    );
    assert.equal(requireRole({ namespace: 'my_service', role: 'admin' }).check(principal), false);
  });

  it('passes if any listed role is held (OR)', () => {
    const authorizer = requireRole(
      { namespace: 'my_service', role: 'viewer' },
      { namespace: 'my_service', role: 'admin' },
    );
    assert.equal(authorizer.check(seedAdmin), true);
    assert.equal(authorizer.description, 'requireRole(my_service/viewer OR my_service/admin)');
  });

  it('grants through a Keycloak client role under the namespace', () => {
    assert.equal(requireRole({ namespace: 'my_service', role: 'editor' }).check(keycloak), true);
    assert.equal(requireRole({ namespace: 'account', role: 'editor' }).check(keycloak), false);
    assert.equal(requireRole({ namespace: 'missing', role: 'editor' }).check(keycloak), false);
  });

  it('grants through a Keycloak realm role only when no namespace is given', () => {
    assert.equal(requireRole({ role: 'auditor' }).check(keycloak), true);
    assert.equal(requireRole({ namespace: 'my_service', role: 'auditor' }).check(keycloak), false);
    // A client role is not a realm role.
    assert.equal(requireRole({ role: 'editor' }).check(keycloak), false);
  });

  it('matches a policy without rn to a role without namespace, as go-authkit does', () => {
    const principal = buildPrincipal({ scope: [{ role: 'admin' }] }, 'jwt');
    assert.equal(requireRole({ role: 'admin' }).check(principal), true);
    assert.equal(requireRole({ namespace: 'my_service', role: 'admin' }).check(principal), false);
  });

  it('rejects bad arguments at start-up', () => {
    const error = (detail: string) => ({ code: 'configInvalid', path: 'requireRole', detail });
    assert.throws(() => requireRole(), error('requireRole: roles must not be empty'));
    assert.throws(
      () => requireRole({ role: '' }),
      error('requireRole: roles[0].role must be a non-empty string'),
    );
    assert.throws(
      () => requireRole({ role: 'a' }, { namespace: '', role: 'b' }),
      error('requireRole: roles[1].namespace must be a non-empty string'),
    );
    assert.throws(
      () => requireRole(null as unknown as { role: string }),
      error('requireRole: roles[0].role must be a non-empty string'),
    );
  });
});

describe('requireRoleIn', () => {
  it('binds the namespace once, as NewVerifyAccessByRolesInJWTMaker', () => {
    const myService = requireRoleIn('my_service');
    assert.equal(myService('admin').check(seedAdmin), true);
    assert.equal(myService('viewer', 'admin').check(seedAdmin), true);
    assert.equal(myService('viewer').check(seedAdmin), false);
    assert.equal(myService('editor').check(keycloak), true);
  });

  it('rejects an empty namespace or no roles', () => {
    assert.throws(() => requireRoleIn(''), {
      code: 'configInvalid',
      detail: 'requireRoleIn: namespace must be a non-empty string',
    });
    assert.throws(() => requireRoleIn('ns')(), {
      code: 'configInvalid',
      detail: 'requireRole: roles must not be empty',
    });
  });
});

/**
 * @module authz/permissions.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { requirePermission } from './permissions.ts';

/** The RPT introspection answer of seed 001. */
const introspected = buildPrincipal(
  {
    permissions: [
      { resource_id: '90ccc6fc-b296-4cd1-881e-089e1ee15957', resource_name: 'Hello World Resource' },
    ],
    exp: 1465314139,
    nbf: 0,
    iat: 1465313839,
    aud: 'hello-world-authz-service',
    active: true,
  },
  'introspection',
);
/** The same kind of grant as a decoded RPT, with the short member names and scopes. */
const decoded = buildPrincipal(
  { authorization: {}, permissions: [{ rsid: 'a-1', rsname: 'album', scopes: ['album:view'] }] },
  'jwt',
);

describe('requirePermission', () => {
  it('matches the resource by name or id (seed 001)', () => {
    assert.equal(requirePermission({ resource: 'Hello World Resource' }).check(introspected), true);
    assert.equal(
      requirePermission({ resource: '90ccc6fc-b296-4cd1-881e-089e1ee15957' }).check(introspected),
      true,
    );
    assert.equal(requirePermission({ resource: 'Other Resource' }).check(introspected), false);
  });

  it('matches rsname and rsid of a decoded RPT', () => {
    assert.equal(requirePermission({ resource: 'album' }).check(decoded), true);
    assert.equal(requirePermission({ resource: 'a-1' }).check(decoded), true);
  });

  it('requires the scope on that same resource when one is given', () => {
    assert.equal(requirePermission({ resource: 'album', scope: 'album:view' }).check(decoded), true);
    assert.equal(requirePermission({ resource: 'album', scope: 'album:delete' }).check(decoded), false);
    // A permission without scopes grants no scope.
    assert.equal(
      requirePermission({ resource: 'Hello World Resource', scope: 'view' }).check(introspected),
      false,
    );
  });

  it('does not combine the resource of one permission with the scope of another', () => {
    const principal = buildPrincipal(
      { permissions: [{ rsname: 'album' }, { rsname: 'photo', scopes: ['view'] }] },
      'jwt',
    );
    assert.equal(requirePermission({ resource: 'album', scope: 'view' }).check(principal), false);
    assert.equal(requirePermission({ resource: 'photo', scope: 'view' }).check(principal), true);
  });

  it('denies a principal without permissions', () => {
    assert.equal(requirePermission({ resource: 'album' }).check(buildPrincipal({ sub: 'u' }, 'jwt')), false);
  });

  it('describes itself and rejects bad arguments', () => {
    assert.equal(
      requirePermission({ resource: 'album', scope: 'view' }).description,
      'requirePermission(album#view)',
    );
    assert.throws(() => requirePermission({ resource: '' }), {
      code: 'configInvalid',
      detail: 'requirePermission: resource must be a non-empty string',
    });
    assert.throws(() => requirePermission({ resource: 'a', scope: '' }), {
      code: 'configInvalid',
      detail: 'requirePermission: scope must be a non-empty string',
    });
    assert.throws(() => requirePermission(undefined as unknown as { resource: string }), {
      code: 'configInvalid',
      detail: 'requirePermission: resource must be a non-empty string',
    });
  });
});

/**
 * @module claims/principal.test
 * The claim shapes of the seeds' IdPs (go-authkit, plain OAuth, Keycloak, WSO2) and junk that must be
 * ignored without throwing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyScopeFilter, buildPrincipal } from './principal.ts';
import type { Claims } from './types.ts';

describe('buildPrincipal', () => {
  it('reads go-authkit access policies from an array-of-objects scope (seed 000)', () => {
    const claims = {
      active: true,
      iss: 'http://127.0.0.1:8081',
      sub: 'admin2',
      exp: 1728294729,
      jti: 'fdcd234b-bf0a-4814-a523-8626e6b4006c',
      scope: [{ rn: 'my_service', role: 'admin' }],
    };
    const principal = buildPrincipal(claims, 'introspection');
    assert.equal(principal.method, 'introspection');
    assert.equal(principal.subject, 'admin2');
    assert.equal(principal.issuer, 'http://127.0.0.1:8081');
    assert.equal(principal.expiresAt, 1728294729);
    assert.deepEqual(principal.accessPolicies, [{ rn: 'my_service', role: 'admin' }]);
    assert.equal(principal.scopes.size, 0);
    assert.equal(principal.claims, claims);
  });

  it('keeps every go-authkit policy member that is a string and drops the others', () => {
    const principal = buildPrincipal(
      {
        scope: [
          { tid: '1', tuid: 'u-1', rs: 'rs', rn: 'ns', rp: '/p', role: 'admin', extra: 'x' },
          { rn: 7, role: ['admin'] },
        ] as unknown as Claims['scope'],
      },
      'jwt',
    );
    assert.deepEqual(principal.accessPolicies, [
      { tid: '1', tuid: 'u-1', rs: 'rs', rn: 'ns', rp: '/p', role: 'admin' },
      {},
    ]);
  });

  it('splits a space-delimited OAuth scope string (RFC 6749 §3.3, seed 002)', () => {
    const principal = buildPrincipal({ scope: 'read  write' }, 'introspection');
    assert.deepEqual([...principal.scopes], ['read', 'write']);
    assert.deepEqual(principal.accessPolicies, []);
  });

  it('reads scp as an array or as a string, merged with scope', () => {
    assert.deepEqual([...buildPrincipal({ scp: ['a', 'b'] }, 'jwt').scopes], ['a', 'b']);
    assert.deepEqual([...buildPrincipal({ scope: 'a', scp: 'b c' }, 'jwt').scopes], ['a', 'b', 'c']);
  });

  it('separates strings from policies in a mixed scope array', () => {
    const principal = buildPrincipal(
      { scope: ['read', { rn: 'ns', role: 'r' }, ''] as unknown as Claims['scope'] },
      'jwt',
    );
    assert.deepEqual([...principal.scopes], ['read']);
    assert.deepEqual(principal.accessPolicies, [{ rn: 'ns', role: 'r' }]);
  });

  it('reads Keycloak realm and resource roles', () => {
    const principal = buildPrincipal(
      {
        realm_access: { roles: ['offline_access', 'user'] },
        resource_access: { account: { roles: ['view-profile'] }, api: { roles: ['reader', 'writer'] } },
      },
      'jwt',
    );
    assert.deepEqual([...principal.realmRoles], ['offline_access', 'user']);
    assert.deepEqual([...principal.resourceRoles.keys()], ['account', 'api']);
    assert.deepEqual([...(principal.resourceRoles.get('api') ?? [])], ['reader', 'writer']);
  });

  it('reads Keycloak RPT permissions (seed 001) and keeps their other members', () => {
    const permission = {
      resource_id: '90ccc6fc-b296-4cd1-881e-089e1ee15957',
      resource_name: 'Hello World Resource',
      claims: { region: 'eu' },
    };
    const principal = buildPrincipal(
      { permissions: [permission], aud: 'hello-world-authz-service', active: true },
      'introspection',
    );
    assert.deepEqual(principal.permissions, [permission]);
    assert.deepEqual(principal.audience, ['hello-world-authz-service']);
  });

  it('types the permission members authorizers read', () => {
    const principal = buildPrincipal(
      {
        permissions: [
          { rsid: 5, rsname: 'doc', scopes: ['view', 3, null] },
        ] as unknown as Claims['permissions'],
      },
      'jwt',
    );
    assert.deepEqual(principal.permissions, [{ rsname: 'doc', scopes: ['view'] }]);
  });

  it('reads the WSO2 username and client_id (seed 002)', () => {
    const principal = buildPrincipal(
      {
        exp: 1464161560,
        username: 'admin@carbon.super',
        scope: 'test1 test2',
        active: true,
        token_type: 'Bearer',
        client_id: 'rgfKVdnMQnJSSr_pKFTxj3apiwYa',
      },
      'introspection',
    );
    assert.equal(principal.username, 'admin@carbon.super');
    assert.equal(principal.clientId, 'rgfKVdnMQnJSSr_pKFTxj3apiwYa');
    assert.deepEqual([...principal.scopes], ['test1', 'test2']);
  });

  it('falls back to azp and preferred_username', () => {
    const principal = buildPrincipal({ azp: 'web', preferred_username: 'jane' }, 'jwt');
    assert.equal(principal.clientId, 'web');
    assert.equal(principal.username, 'jane');
  });

  it('takes a string aud as one audience, never splitting it', () => {
    assert.deepEqual(buildPrincipal({ aud: 'my api' }, 'jwt').audience, ['my api']);
    assert.deepEqual(buildPrincipal({ aud: ['a', 'b'] }, 'jwt').audience, ['a', 'b']);
    assert.deepEqual(buildPrincipal({ aud: '' }, 'jwt').audience, []);
    assert.deepEqual(buildPrincipal({}, 'jwt').audience, []);
  });

  it('ignores junk shapes without throwing', () => {
    const junk = {
      sub: 42,
      iss: null,
      username: { name: 'x' },
      aud: [1, null, 'ok', ['nested']],
      exp: '1728294729',
      scope: 12,
      scp: { read: true },
      realm_access: { roles: 'admin' },
      resource_access: ['not', 'a', 'map'],
      permissions: [null, 3, 'x', [{ rsname: 'inner' }]],
    } as unknown as Claims;
    const principal = buildPrincipal(junk, 'jwt');
    assert.equal(principal.subject, undefined);
    assert.equal(principal.issuer, undefined);
    assert.equal(principal.username, undefined);
    assert.equal(principal.expiresAt, undefined);
    assert.deepEqual(principal.audience, ['ok']);
    assert.equal(principal.scopes.size, 0);
    assert.equal(principal.realmRoles.size, 0);
    assert.equal(principal.resourceRoles.size, 0);
    assert.deepEqual(principal.permissions, []);
  });

  it('ignores junk inside Keycloak role containers', () => {
    const principal = buildPrincipal(
      {
        realm_access: null,
        resource_access: { a: null, b: 5, c: { roles: [1, 'ok'] }, d: { roles: null } },
      } as unknown as Claims,
      'jwt',
    );
    assert.equal(principal.realmRoles.size, 0);
    assert.deepEqual([...principal.resourceRoles.keys()], ['c']);
    assert.deepEqual([...(principal.resourceRoles.get('c') ?? [])], ['ok']);
  });

  it('does not throw on claims that are not an object', () => {
    for (const claims of [null, undefined, 5, 'text', []]) {
      const principal = buildPrincipal(claims as unknown as Claims, 'jwt');
      assert.equal(principal.subject, undefined);
      assert.deepEqual(principal.claims, {});
    }
  });
});

describe('applyScopeFilter', () => {
  const claims: Claims = {
    sub: 'u',
    scope: [
      { rn: 'my_service', role: 'admin' },
      { rn: 'other', role: 'admin' },
      { role: 'global' },
      'openid' as unknown as { rn: string },
    ],
  };

  it('keeps only the policies of the listed namespaces, and all scope strings', () => {
    const filtered = applyScopeFilter(claims, [{ rn: 'my_service' }]);
    assert.deepEqual(filtered.scope, [{ rn: 'my_service', role: 'admin' }, 'openid']);
    assert.equal(filtered.sub, 'u');
    // The input is not mutated: the cache may hold it.
    assert.equal((claims.scope as unknown[]).length, 4);
  });

  it('matches namespaces exactly (case-sensitive, as go-authkit)', () => {
    const filtered = applyScopeFilter(claims, [{ rn: 'MY_SERVICE' }]);
    assert.deepEqual(filtered.scope, ['openid']);
  });

  it('returns the same object when nothing is filtered out', () => {
    assert.equal(applyScopeFilter(claims, []), claims);
    assert.equal(applyScopeFilter({ scope: 'read write' }, [{ rn: 'x' }]).scope, 'read write');
    const all = applyScopeFilter({ scope: [{ rn: 'a' }] }, [{ rn: 'a' }]);
    assert.deepEqual(all, { scope: [{ rn: 'a' }] });
  });

  it('feeds buildPrincipal: filtered-out policies are not seen by authorizers', () => {
    const principal = buildPrincipal(applyScopeFilter(claims, [{ rn: 'other' }]), 'introspection');
    assert.deepEqual(principal.accessPolicies, [{ rn: 'other', role: 'admin' }]);
    assert.deepEqual([...principal.scopes], ['openid']);
  });
});

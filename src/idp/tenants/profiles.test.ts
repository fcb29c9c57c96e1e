/**
 * @module idp/tenants/profiles.test
 * Path → endpoint, tenant and issuer for each profile; discovery locations; rejection of dot segments,
 * invalid tenant ids and profiles that are not enabled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointUrls, matchRoute, type Profile, realmOf } from './profiles.ts';
import { isTenantId } from './tenant-id.ts';

const ALL: Profile[] = ['standard', 'keycloak', 'authkit'];
const BASE = 'https://idp.example';

describe('matchRoute', () => {
  it('standard: root and /t/{tenant} endpoints', () => {
    assert.deepEqual(matchRoute('/oauth2/introspect', ALL), {
      profile: 'standard',
      endpoint: 'introspect',
      tenant: 'default',
      issuerPath: '',
    });
    assert.deepEqual(matchRoute('/t/foo.com/oauth2/jwks', ALL), {
      profile: 'standard',
      endpoint: 'jwks',
      tenant: 'foo.com',
      issuerPath: '/t/foo.com',
    });
    assert.equal(matchRoute('/t/foo.com/oauth2/revoke', ALL)?.endpoint, 'revoke');
  });

  it('keycloak: realm endpoints, token/introspect before token', () => {
    const introspect = matchRoute('/realms/acme/protocol/openid-connect/token/introspect', ALL);
    assert.deepEqual(introspect, {
      profile: 'keycloak',
      endpoint: 'introspect',
      tenant: 'acme',
      issuerPath: '/realms/acme',
    });
    assert.equal(matchRoute('/realms/default/protocol/openid-connect/token', ALL)?.endpoint, 'token');
    assert.equal(matchRoute('/realms/default/protocol/openid-connect/certs', ALL)?.endpoint, 'jwks');
  });

  it('authkit: /idp/* on the default tenant only', () => {
    assert.deepEqual(matchRoute('/idp/introspect_token', ALL), {
      profile: 'authkit',
      endpoint: 'introspect',
      tenant: 'default',
      issuerPath: '',
    });
    assert.equal(matchRoute('/idp/keys', ALL)?.endpoint, 'jwks');
    assert.equal(matchRoute('/idp/revoke', ALL), undefined);
  });

  it('discovery: root documents belong to the first profile; tenant and RFC 8414 §3.1 forms', () => {
    assert.equal(matchRoute('/.well-known/openid-configuration', ALL)?.profile, 'standard');
    assert.equal(
      matchRoute('/.well-known/openid-configuration', ['authkit', 'standard'])?.profile,
      'authkit',
    );
    assert.equal(
      matchRoute('/.well-known/openid-configuration', ['keycloak'])?.issuerPath,
      '/realms/default',
    );
    assert.deepEqual(matchRoute('/.well-known/oauth-authorization-server/t/foo.com', ALL), {
      profile: 'standard',
      endpoint: 'discovery',
      tenant: 'foo.com',
      issuerPath: '/t/foo.com',
    });
    assert.equal(matchRoute('/realms/x/.well-known/openid-configuration', ALL)?.issuerPath, '/realms/x');
    assert.equal(matchRoute('/.well-known/oauth-authorization-server/oauth2/token', ALL), undefined);
  });

  it('nothing for dot segments, empty segments, bad tenant ids or disabled profiles', () => {
    for (const path of [
      '/t/../oauth2/token',
      '/t/./oauth2/token',
      '/oauth2/../oauth2/token',
      '/t//oauth2/token',
      '/t/UPPER/oauth2/token',
      '/t/-x/oauth2/token',
      '/t/%2e%2e/oauth2/token',
      'oauth2/token',
      '',
      '/',
    ]) {
      assert.equal(matchRoute(path, ALL), undefined, path);
    }
    assert.equal(matchRoute('/idp/token', ['standard']), undefined);
    assert.equal(
      matchRoute('/realms/default/protocol/openid-connect/token', ['standard', 'authkit']),
      undefined,
    );
  });
});

describe('endpoint URLs and realms', () => {
  it('builds absolute endpoint URLs below the issuer of the tenant', () => {
    assert.deepEqual(endpointUrls('standard', BASE, 'foo.com'), {
      token: `${BASE}/t/foo.com/oauth2/token`,
      introspect: `${BASE}/t/foo.com/oauth2/introspect`,
      revoke: `${BASE}/t/foo.com/oauth2/revoke`,
      jwks: `${BASE}/t/foo.com/oauth2/jwks`,
    });
    assert.equal(endpointUrls('authkit', BASE, 'default').revoke, undefined);
  });

  it('realm: issuer and claim style of the route', () => {
    const route = matchRoute('/idp/token', ALL);
    assert.ok(route);
    assert.deepEqual(realmOf(route, BASE), { tenant: 'default', issuer: BASE, claimStyle: 'authkit' });
    const keycloak = matchRoute('/realms/r1/protocol/openid-connect/token', ALL);
    assert.ok(keycloak);
    assert.deepEqual(realmOf(keycloak, BASE), {
      tenant: 'r1',
      issuer: `${BASE}/realms/r1`,
      claimStyle: 'rfc9068',
    });
  });

  it('tenant ids: lower-case, 1-63 characters, starting with a letter or digit', () => {
    assert.ok(isTenantId('foo.com'));
    assert.ok(isTenantId('a'));
    assert.ok(!isTenantId('.hidden'));
    assert.ok(!isTenantId('..'));
    assert.ok(!isTenantId('a'.repeat(64)));
    assert.ok(!isTenantId('a/b'));
  });
});

/**
 * @module idp/browser/routes.test
 * Where the browser endpoints live under each profile (`tenants/profiles`), and the discovery members.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserEndpointUrls, matchBrowserRoute, PROFILES } from '../tenants/profiles.ts';
import { browserMetadata } from './metadata.ts';

describe('browser routes', () => {
  it('standard, standard tenant, Keycloak realm; none on authkit', () => {
    assert.deepEqual(matchBrowserRoute('/oauth2/authorize', PROFILES), {
      profile: 'standard',
      endpoint: 'authorize',
      tenant: 'default',
      issuerPath: '',
    });
    assert.deepEqual(matchBrowserRoute('/t/foo.com/oauth2/userinfo', PROFILES), {
      profile: 'standard',
      endpoint: 'userinfo',
      tenant: 'foo.com',
      issuerPath: '/t/foo.com',
    });
    assert.deepEqual(matchBrowserRoute('/realms/r1/protocol/openid-connect/auth', PROFILES), {
      profile: 'keycloak',
      endpoint: 'authorize',
      tenant: 'r1',
      issuerPath: '/realms/r1',
    });
    assert.equal(matchBrowserRoute('/realms/r1/login-actions/authenticate', PROFILES)?.endpoint, 'signin');
    for (const path of [
      '/oauth2/token',
      '/t/../oauth2/authorize',
      '/t/Bad/oauth2/authorize',
      '/oauth2//authorize',
      '/idp/authorize',
    ]) {
      assert.equal(matchBrowserRoute(path, PROFILES), undefined, path);
    }
    assert.equal(matchBrowserRoute('/oauth2/authorize', ['keycloak', 'authkit']), undefined, 'profile off');
    assert.deepEqual(browserEndpointUrls('authkit', 'https://idp.example', 'default'), {});
    assert.equal(
      browserEndpointUrls('standard', 'https://idp.example', 't1').logout,
      'https://idp.example/t/t1/oauth2/logout',
    );
  });

  it('discovery members: code flow with S256, none for public clients, OIDC scopes; nothing for authkit', () => {
    const protocol = {
      grants: ['client_credentials'],
      methods: ['client_secret_basic'],
      scopes: ['read'],
      algorithm: 'ES256',
    };
    const members = browserMetadata('keycloak', 'https://idp.example', 'r1', protocol);
    assert.equal(
      members.authorization_endpoint,
      'https://idp.example/realms/r1/protocol/openid-connect/auth',
    );
    assert.deepEqual(members.response_types_supported, ['code']);
    assert.deepEqual(members.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(members.grant_types_supported, ['client_credentials', 'authorization_code']);
    assert.deepEqual(members.token_endpoint_auth_methods_supported, ['client_secret_basic', 'none']);
    assert.deepEqual(members.scopes_supported, ['email', 'openid', 'profile', 'read']);
    assert.deepEqual(members.id_token_signing_alg_values_supported, ['ES256']);
    assert.equal(members.authorization_response_iss_parameter_supported, true);
    assert.equal(members.request_uri_parameter_supported, false);
    assert.deepEqual(browserMetadata('authkit', 'https://idp.example', 'default', protocol), {});
  });
});

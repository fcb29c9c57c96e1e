/**
 * @module idp/events/stream-route.test
 * The stream's paths under each profile, raw-segment matching (no dot segments, valid tenant ids only),
 * its URLs for discovery, and the issuers of a tenant.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchStreamRoute, streamUrl, tenantIssuers } from './stream-route.ts';

const ALL = ['standard', 'keycloak', 'authkit'] as const;

describe('revocation stream routes', () => {
  it('sit below every issuer of every profile', () => {
    assert.deepEqual(matchStreamRoute('/events/revocations', ALL), {
      profile: 'standard',
      tenant: 'default',
      issuerPath: '',
    });
    assert.deepEqual(matchStreamRoute('/t/foo.com/events/revocations', ALL), {
      profile: 'standard',
      tenant: 'foo.com',
      issuerPath: '/t/foo.com',
    });
    assert.deepEqual(matchStreamRoute('/realms/default/events/revocations', ALL), {
      profile: 'keycloak',
      tenant: 'default',
      issuerPath: '/realms/default',
    });
    assert.equal(matchStreamRoute('/events/revocations', ['authkit'])?.profile, 'authkit');
  });

  it('match raw segments only, and profiles that are enabled', () => {
    for (const path of [
      '/t/../events/revocations',
      '/t//events/revocations',
      '/t/Bad!/events/revocations',
      '/x/y/z/events/revocations',
      '/events/revocations/',
      '/oauth2/events/revocations',
    ]) {
      assert.equal(matchStreamRoute(path, ALL), undefined, path);
    }
    assert.equal(matchStreamRoute('/realms/acme/events/revocations', ['standard']), undefined);
  });

  it('give the URL and issuers of a tenant', () => {
    assert.equal(streamUrl('standard', 'https://idp', 'acme'), 'https://idp/t/acme/events/revocations');
    assert.equal(streamUrl('authkit', 'https://idp', 'acme'), undefined);
    assert.deepEqual(tenantIssuers(ALL, 'https://idp', 'default'), [
      'https://idp',
      'https://idp/realms/default',
    ]);
    assert.deepEqual(tenantIssuers(ALL, 'https://idp', 'acme'), [
      'https://idp/t/acme',
      'https://idp/realms/acme',
    ]);
  });
});

/**
 * @module discovery/issuer-identifier.test
 * Issuer comparison and well-known URL construction (OIDC Discovery §4, RFC 8414 §3.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { metadataUrls, sameIssuer, withoutTrailingSlash } from './issuer-identifier.ts';

describe('issuer identifiers', () => {
  it('removes one terminating slash, never more', () => {
    assert.equal(withoutTrailingSlash('https://idp.example/'), 'https://idp.example');
    assert.equal(withoutTrailingSlash('https://idp.example//'), 'https://idp.example/');
    assert.equal(withoutTrailingSlash('https://idp.example'), 'https://idp.example');
  });

  it('compares issuers up to one terminating slash', () => {
    assert.ok(sameIssuer('https://idp.example/t1', 'https://idp.example/t1/'));
    assert.ok(!sameIssuer('https://idp.example/t1', 'https://idp.example/t1//'));
    assert.ok(!sameIssuer('https://idp.example/t1', 'https://idp.example/t2'));
  });

  it('builds the OIDC and RFC 8414 metadata URLs of an issuer with a path', () => {
    assert.deepEqual(metadataUrls('https://idp.example/realms/r1/'), {
      openidConfiguration: 'https://idp.example/realms/r1/.well-known/openid-configuration',
      authorizationServer: 'https://idp.example/.well-known/oauth-authorization-server/realms/r1',
    });
  });

  it('builds the metadata URLs of an issuer without a path', () => {
    assert.deepEqual(metadataUrls('https://idp.example:8443'), {
      openidConfiguration: 'https://idp.example:8443/.well-known/openid-configuration',
      authorizationServer: 'https://idp.example:8443/.well-known/oauth-authorization-server',
    });
  });

  for (const issuer of [
    'not a url',
    'ftp://idp.example',
    'https://idp.example/?a=1',
    'https://u:p@idp.example',
  ]) {
    it(`rejects the issuer ${JSON.stringify(issuer)} (RFC 8414 §2)`, () => {
      assert.throws(
        () => metadataUrls(issuer),
        (error: unknown) => error instanceof TokenguardError && error.reason === 'discovery_failed',
      );
    });
  }
});

/**
 * @module authz/issuer.test
 * `requireIssuer`: exact values and globs; a token without `iss` fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { not } from './combinators.ts';
import { requireIssuer } from './issuer.ts';

const acme = buildPrincipal({ iss: 'https://idp.example.com/realms/acme' }, 'jwt');
const other = buildPrincipal({ iss: 'https://idp.example.com/realms/other' }, 'jwt');

describe('requireIssuer', () => {
  it('passes for one of the listed issuers only', () => {
    const authorizer = requireIssuer(['https://idp.example.com/realms/acme', 'https://login.example.org']);
    assert.equal(authorizer.check(acme), true);
    assert.equal(authorizer.check(other), false);
    assert.equal(authorizer.check(buildPrincipal({ sub: 'x' }, 'introspection')), false);
    assert.equal(
      authorizer.description,
      'requireIssuer(https://idp.example.com/realms/acme OR https://login.example.org)',
    );
    assert.equal(not(authorizer).check(other), true);
  });

  it('matches globs within one path segment', () => {
    const authorizer = requireIssuer(['https://*.example.com/realms/acme']);
    assert.equal(authorizer.check(acme), true);
    assert.equal(authorizer.check(other), false);
    assert.equal(
      authorizer.check(buildPrincipal({ iss: 'https://a/b.example.com/realms/acme' }, 'jwt')),
      false,
    );
  });

  it('rejects an empty list or value at start-up', () => {
    assert.throws(() => requireIssuer([]), { code: 'configInvalid', path: 'requireIssuer' });
    assert.throws(() => requireIssuer([''] as string[]), { code: 'configInvalid', path: 'requireIssuer' });
  });
});

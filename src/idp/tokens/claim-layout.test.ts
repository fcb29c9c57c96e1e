/**
 * @module idp/tokens/claim-layout.test
 * The scope / scp / aud layout of both claim styles, and that tokenguard's own resource-server side reads
 * what the IdP writes (policies and OAuth scopes alike).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../../claims/principal.ts';
import { audienceClaim, authorizationClaims } from './claim-layout.ts';

const POLICY = { rn: 'my_service', role: 'admin' };

describe('authorizationClaims', () => {
  it('rfc9068: the OAuth scope string, or policies in scope and the string in scp', () => {
    assert.deepEqual(authorizationClaims('rfc9068', 'read write', []), { scope: 'read write' });
    assert.deepEqual(authorizationClaims('rfc9068', 'read write', [POLICY]), {
      scope: [POLICY],
      scp: 'read write',
    });
    assert.deepEqual(authorizationClaims('rfc9068', '', [POLICY]), { scope: [POLICY] });
    assert.deepEqual(authorizationClaims('rfc9068', '', []), {});
  });

  it('authkit: only the policy array, OAuth scopes never written', () => {
    assert.deepEqual(authorizationClaims('authkit', 'read', []), {});
    assert.deepEqual(authorizationClaims('authkit', 'read', [POLICY]), { scope: [POLICY] });
  });

  it('copies the policies, so a caller cannot change the source through the claims', () => {
    const policies = [{ ...POLICY }];
    const claims = authorizationClaims('authkit', '', policies);
    (claims.scope as { role: string }[])[0].role = 'changed';
    assert.equal(policies[0].role, 'admin');
  });

  it("is read back by tokenguard's resource-server side: scopes from scope or scp, policies from scope", () => {
    const withPolicies = buildPrincipal({ ...authorizationClaims('rfc9068', 'read write', [POLICY]) }, 'jwt');
    assert.deepEqual([...withPolicies.scopes], ['read', 'write']);
    assert.deepEqual(withPolicies.accessPolicies, [POLICY]);
    const plain = buildPrincipal({ ...authorizationClaims('rfc9068', 'read', []) }, 'jwt');
    assert.deepEqual([...plain.scopes], ['read']);
  });
});

describe('audienceClaim', () => {
  it('omits no audience, writes one as a string and several as an array', () => {
    assert.equal(audienceClaim([]), undefined);
    assert.equal(audienceClaim(['a']), 'a');
    assert.deepEqual(audienceClaim(['a', 'b']), ['a', 'b']);
  });
});

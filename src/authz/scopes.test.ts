/**
 * @module authz/scopes.test
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrincipal } from '../claims/principal.ts';
import { requireScopes } from './scopes.ts';

const readWrite = buildPrincipal({ scope: 'read write' }, 'introspection');
const readOnly = buildPrincipal({ scp: ['read'] }, 'jwt');
const none = buildPrincipal({ sub: 'u' }, 'jwt');

describe('requireScopes', () => {
  it('requires every scope by default (AND)', () => {
    const authorizer = requireScopes(['read', 'write']);
    assert.equal(authorizer.check(readWrite), true);
    assert.equal(authorizer.check(readOnly), false);
    assert.equal(authorizer.check(none), false);
    assert.equal(authorizer.description, 'requireScopes(read AND write)');
  });

  it('requires one of the scopes in any mode (OR)', () => {
    const authorizer = requireScopes(['write', 'admin'], { mode: 'any' });
    assert.equal(authorizer.check(readWrite), true);
    assert.equal(authorizer.check(readOnly), false);
    assert.equal(authorizer.description, 'requireScopes(write OR admin)');
  });

  it('exposes the scopes for the insufficient_scope challenge, without duplicates', () => {
    assert.deepEqual(requireScopes(['read', 'write', 'read']).requiredScopes, ['read', 'write']);
    assert.deepEqual(requireScopes(['a', 'b'], { mode: 'any' }).requiredScopes, ['a', 'b']);
  });

  it('does not take a go-authkit access policy for a scope', () => {
    const principal = buildPrincipal({ scope: [{ rn: 'read', role: 'read' }] }, 'jwt');
    assert.equal(requireScopes(['read']).check(principal), false);
  });

  it('rejects an empty list, a bad scope-token and a bad mode at start-up', () => {
    const error = (detail: string) => ({ code: 'configInvalid', path: 'requireScopes', detail });
    assert.throws(() => requireScopes([]), error('requireScopes: scopes must not be empty'));
    assert.throws(
      () => requireScopes(['read write']),
      error('requireScopes: invalid scope "read write" (RFC 6749 §3.3 scope-token)'),
    );
    assert.throws(
      () => requireScopes(['']),
      error('requireScopes: invalid scope "" (RFC 6749 §3.3 scope-token)'),
    );
    assert.throws(
      () => requireScopes([7 as unknown as string]),
      error('requireScopes: invalid scope 7 (RFC 6749 §3.3 scope-token)'),
    );
    assert.throws(
      () => requireScopes(['read'], { mode: 'some' as 'any' }),
      error("requireScopes: mode must be 'all' or 'any', got 'some'"),
    );
  });
});

/**
 * @module idp/web/csrf.test
 * CSRF tokens: bound to the session id and the secret, anything else refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfToken, csrfTokenFor, newCsrfSecret, verifyCsrf, verifyCsrfFor } from './csrf.ts';
import type { WebSession } from './session.ts';

function session(id: string): WebSession {
  return { id, tenant: 'default', username: 'u', kind: 'user', createdAt: 0, lastSeenAt: 0, data: {} };
}

describe('csrf', () => {
  const secret = newCsrfSecret();

  it('verifies the token of the same session only', () => {
    const token = csrfToken(session('s1'), secret);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(verifyCsrf(session('s1'), token, secret), true);
    assert.equal(verifyCsrf(session('s2'), token, secret), false);
    assert.equal(verifyCsrf(session('s1'), token, newCsrfSecret()), false);
  });

  it('refuses missing, non-string and truncated tokens', () => {
    const token = csrfToken(session('s1'), secret);
    for (const bad of [undefined, null, 42, '', token.slice(1), [token]]) {
      assert.equal(verifyCsrf(session('s1'), bad, secret), false);
    }
    assert.equal(verifyCsrfFor('', csrfTokenFor('', secret), secret), false);
  });
});

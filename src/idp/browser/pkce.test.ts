/**
 * @module idp/browser/pkce.test
 * RFC 7636: the Appendix B example, S256 required, verifier syntax.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { challengeProblem, s256Challenge, verifyCodeVerifier } from './pkce.ts';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('pkce', () => {
  it('computes the RFC 7636 Appendix B challenge and verifies it', () => {
    assert.equal(s256Challenge(VERIFIER), CHALLENGE);
    assert.equal(verifyCodeVerifier(VERIFIER, CHALLENGE), true);
  });

  it('refuses other, missing and malformed verifiers', () => {
    assert.equal(verifyCodeVerifier(undefined, CHALLENGE), false);
    assert.equal(verifyCodeVerifier(`${VERIFIER}x`, CHALLENGE), false);
    assert.equal(verifyCodeVerifier('short', s256Challenge('short')), false, 'under 43 characters');
    const bad = `${'a'.repeat(42)}!`;
    assert.equal(verifyCodeVerifier(bad, s256Challenge(bad)), false, 'not unreserved characters');
  });

  it('requires a S256 challenge', () => {
    assert.equal(challengeProblem(CHALLENGE, 'S256'), undefined);
    assert.match(challengeProblem(undefined, 'S256') ?? '', /required/);
    assert.match(challengeProblem(CHALLENGE, undefined) ?? '', /S256/);
    assert.match(challengeProblem(CHALLENGE, 'plain') ?? '', /S256/);
    assert.match(challengeProblem('abc', 'S256') ?? '', /not a S256/);
  });
});

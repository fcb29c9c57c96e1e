/**
 * @module idp/browser/id-token.test
 * ID tokens: `at_hash` (OIDC Core §3.1.3.6, the spec's example), the claims and signature, and reading an
 * `id_token_hint` (only ID tokens of this issuer).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { KeyManager } from '../keys/key-manager.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { Realm } from '../tokens/types.ts';
import { accessTokenHash, readIdTokenHint, signIdToken } from './id-token.ts';

const REALM: Realm = { tenant: 'default', issuer: 'https://idp.example', claimStyle: 'rfc9068' };

describe('id-token', () => {
  it('at_hash of the OIDC Core example (RS256: left half of SHA-256)', () => {
    assert.equal(
      accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256'),
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
    assert.equal(accessTokenHash('x', 'ES384').length, 32, '24 bytes of SHA-384');
    assert.equal(accessTokenHash('x', 'EdDSA').length, 43, '32 bytes of SHA-512');
  });

  it('signs the OIDC claims with the tenant key; a hint is read back, other tokens are not', async () => {
    const store = new MemoryStore();
    const keys = new KeyManager({ store });
    const now = Math.floor(Date.now() / 1000);
    const token = await signIdToken(keys, {
      realm: REALM,
      clientId: 'portal',
      subject: 'alice',
      authTime: now - 10,
      nonce: 'n-1',
      accessToken: 'at',
      lifetime: 300,
      now,
    });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet(await keys.jwks('default')),
      {
        issuer: REALM.issuer,
        audience: 'portal',
      },
    );
    assert.equal(protectedHeader.typ, 'JWT');
    assert.deepEqual(
      { ...payload },
      {
        iss: REALM.issuer,
        sub: 'alice',
        aud: 'portal',
        exp: now + 300,
        iat: now,
        auth_time: now - 10,
        nonce: 'n-1',
        azp: 'portal',
        at_hash: accessTokenHash('at', 'RS256'),
      },
    );
    assert.deepEqual(await readIdTokenHint(keys, REALM, token), { subject: 'alice', audience: ['portal'] });
    assert.equal(
      await readIdTokenHint(keys, { ...REALM, issuer: 'https://other.example' }, token),
      undefined,
    );
    assert.equal(await readIdTokenHint(keys, REALM, `${token.slice(0, -4)}AAAA`), undefined);
    assert.equal(await readIdTokenHint(keys, REALM, 'garbage'), undefined);
  });
});

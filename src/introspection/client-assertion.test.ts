/**
 * @module introspection/client-assertion.test
 * `private_key_jwt` (RFC 7523 §2.2) end to end: the stub IdP verifies each assertion with our public key
 * and checks its claims (§3), for a PEM key file and for an inline JWK; bad keys fail at startup.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ASSERTION_LIFETIME_SECONDS } from './client-assertion.ts';
import { createClientAuth } from './client-auth.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import { assertionChecker, type VerifiedAssertion } from './test-support/assertion-checker.ts';
import {
  type IntrospectionInput,
  introspectionConfig,
  TestClock,
  useStubIdp,
} from './test-support/fixtures.ts';

const TOKEN = 'opaque-token-2';

describe('private_key_jwt', () => {
  const { idp, http, metadata } = useStubIdp();
  let dir: string;
  let rsaKeyFile: string;
  let rsaPublic: KeyObject;
  /** The key the stub verifies assertions with, and the claims of each verified assertion. */
  let verifyWith: KeyObject;
  const verified: VerifiedAssertion[] = [];
  const clock = new TestClock(Date.now());

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-pkjwt-'));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    rsaPublic = rsa.publicKey;
    rsaKeyFile = join(dir, 'client.key');
    writeFileSync(rsaKeyFile, rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    // The IdP side of RFC 7523 §3: signature, then iss = sub = client_id, aud = this endpoint, exp.
    idp.handler = assertionChecker(idp, { key: () => verifyWith, now: clock.now, verified });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    verified.length = 0;
  });

  function transport(clientAuth: IntrospectionInput['clientAuth']) {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        clientAuth: { method: 'private_key_jwt', clientId: 'rs', ...clientAuth },
      }),
      { http, metadata, now: clock.now },
    );
  }

  it('signs a fresh assertion per request with a PEM key file', async () => {
    verifyWith = rsaPublic;
    const subject = transport({ privateKey: rsaKeyFile, keyId: 'key-1' });
    assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });

    assert.equal(verified.length, 2, 'both assertions verified by the IdP');
    const [first, second] = verified;
    assert.deepEqual(first.header, { alg: 'RS256', kid: 'key-1' });
    assert.equal(first.payload.iat, Math.floor(clock.ms / 1000));
    assert.equal(first.payload.exp, (first.payload.iat as number) + ASSERTION_LIFETIME_SECONDS);
    assert.notEqual(first.payload.jti, second.payload.jti, 'unique jti');
    assert.equal(idp.requests[0].headers.authorization, undefined);
    assert.equal(idp.requests[0].form.get('token'), TOKEN);
    assert.ok(subject.id.includes('|private_key_jwt:rs|'));
  });

  it('signs with an inline private JWK, taking its kid', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    verifyWith = ec.publicKey;
    const jwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec-1' };
    await transport({ privateKey: JSON.stringify(jwk), privateKeyAlg: 'ES256' }).introspect(TOKEN);
    assert.equal(verified.length, 1);
    assert.deepEqual(verified[0].header, { alg: 'ES256', kid: 'ec-1' });
  });

  it('fails at startup on keys it cannot use, without echoing them', () => {
    const ed = generateKeyPairSync('ed25519');
    const edJwk = JSON.stringify(ed.privateKey.export({ format: 'jwk' }));
    const publicJwk = JSON.stringify(ed.publicKey.export({ format: 'jwk' }));
    const cases: Array<IntrospectionInput['clientAuth']> = [
      { privateKey: rsaKeyFile, privateKeyAlg: 'ES256' },
      { privateKey: edJwk, privateKeyAlg: 'RS256' },
      { privateKey: publicJwk, privateKeyAlg: 'EdDSA' },
      { privateKey: join(dir, 'missing.key') },
      { privateKey: '{not json' },
      { privateKey: '' },
    ];
    for (const clientAuth of cases) {
      const config = introspectionConfig({
        clientAuth: { method: 'private_key_jwt', clientId: 'rs', ...clientAuth },
      });
      assert.throws(
        () => createClientAuth(config, { http, metadata }),
        (error: { code?: string; path?: string; message: string }) => {
          assert.equal(error.code, 'configInvalid');
          assert.equal(error.path, 'auth.introspection.clientAuth.privateKey');
          assert.ok(!error.message.includes('"d"'), 'no key material in the message');
          return true;
        },
      );
    }
    assert.equal(
      createClientAuth(
        introspectionConfig({
          clientAuth: {
            method: 'private_key_jwt',
            clientId: 'rs',
            privateKey: edJwk,
            privateKeyAlg: 'EdDSA',
          },
        }),
        { http, metadata },
      ).identity,
      'private_key_jwt:rs',
    );
  });
});

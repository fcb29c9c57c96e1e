/**
 * @module jwt/jwt-verifier.test
 * JwtVerifier end to end against a real IdP on loopback (discovery + JWKS, keys from jose): every
 * asymmetric algorithm, time claims with an injected clock, signatures, key rotation, issuer trust,
 * audience, `typ`, and the classic attacks (alg none, HS256 with the public key, jku/x5u/jwk headers).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { base64url, exportJWK, exportSPKI, SignJWT } from 'jose';
import { rejectsWith } from '../../test/support/assertions.ts';
import { closedPortUrl } from '../../test/support/loopback.ts';
import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { TestServer } from '../discovery/test-support/test-server.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { HttpClient } from '../util/http-client.ts';
import { JwtVerifier, type JwtVerifierConfig } from './jwt-verifier.ts';
import { KeySets } from './key-sets.ts';
import { JWKS_PATH, makeKey, type SigningKey, TestIdp } from './test-support/test-idp.ts';
import { TrustedIssuers, type TrustedIssuersConfig } from './trusted-issuers.ts';

/** Fixed "now" of the verifier, in seconds (tokens are signed relative to it). */
const NOW = 1_900_000_000;

const DEFAULT_CONFIG: JwtVerifierConfig = {
  algorithms: [
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
    'Ed25519',
  ],
  requireAudience: false,
  expectedAudience: [],
  requireType: '',
  leeway: 0,
};

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

describe('JwtVerifier', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const keys: Record<string, SigningKey> = {};

  interface Setup {
    config?: Partial<JwtVerifierConfig>;
    trust?: Partial<TrustedIssuersConfig>;
    cooldownMs?: number;
    nowSeconds?: number;
  }

  /** A verifier with fresh caches (discovery, key sets) trusting the test IdP, at NOW by default. */
  function verifier(setup: Setup = {}): JwtVerifier {
    const trust = { trustedIssuers: {}, trustedIssuerUrls: [idp.issuer], jwksUri: {}, ...setup.trust };
    const discovery = new DiscoveryClient({ http, ttlMs: 60_000 });
    const keySets = new KeySets({
      discovery,
      http,
      cooldownMs: setup.cooldownMs ?? 60_000,
      cacheMaxAgeMs: 3_600_000,
      jwksUri: trust.jwksUri,
    });
    return new JwtVerifier(
      { ...DEFAULT_CONFIG, ...setup.config },
      {
        issuers: new TrustedIssuers(trust),
        keySets,
        now: () => (setup.nowSeconds ?? NOW) * 1000,
      },
    );
  }

  const sign = (key: SigningKey, claims: Record<string, unknown> = {}, header?: Record<string, unknown>) =>
    idp.sign(key, claims, { header }, NOW);

  before(async () => {
    idp = await TestIdp.start();
    http = new HttpClient({ retries: 0 });
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']) keys[alg] = await idp.addKey(alg);
  });
  after(async () => {
    await http.close();
    await idp.close();
  });
  beforeEach(() => {
    idp.server.requests.length = 0;
  });

  describe('valid tokens', () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']) {
      it(`accepts a token signed with ${alg} and returns its claims`, async () => {
        const claims = await verifier().verify(await sign(keys[alg], { sub: `user-${alg}`, scope: 'read' }));
        assert.equal(claims.sub, `user-${alg}`);
        assert.equal(claims.scope, 'read');
        assert.equal(claims.iss, idp.issuer);
        assert.equal(claims.exp, NOW + 300);
      });
    }

    it('fetches discovery and the JWK Set once for many tokens of one issuer', async () => {
      const verify = verifier();
      for (let i = 0; i < 5; i++) await verify.verify(await sign(keys.RS256, { jti: `t${i}` }));
      assert.equal(idp.discoveryHits, 1);
      assert.equal(idp.jwksHits, 1);
    });

    it('accepts a token of a trustedIssuers name, resolved to its issuer URL', async () => {
      const verify = verifier({ trust: { trustedIssuers: { 'my-idp': idp.issuer }, trustedIssuerUrls: [] } });
      const claims = await verify.verify(await sign(keys.ES256, { iss: 'my-idp' }));
      assert.equal(claims.iss, 'my-idp');
    });

    it('accepts a glob-trusted issuer whose keys come from a configured jwksUri (no discovery)', async () => {
      const port = new URL(idp.issuer).port;
      const iss = `http://tenant-7.idp.example.test:${port}`;
      const verify = verifier({
        trust: {
          trustedIssuerUrls: [`http://*.idp.example.test:${port}`],
          jwksUri: { [iss]: `${idp.issuer}${JWKS_PATH}` },
        },
      });
      const claims = await verify.verify(await sign(keys.RS256, { iss }));
      assert.equal(claims.iss, iss);
      assert.equal(idp.discoveryHits, 0);
    });

    it('tries each key when several match a token without kid (RFC 7515 §4.1.4)', async () => {
      const second = await idp.addKey('RS256', 'rsa-second');
      try {
        const claims = await verifier().verify(await sign(second, { sub: 'no-kid' }, { kid: undefined }));
        assert.equal(claims.sub, 'no-kid');
        const stranger = await makeKey('RS256', 'stranger');
        await rejectsWith(
          verifier().verify(await sign(stranger, {}, { kid: undefined })),
          'authenticationFailed',
          'jwt_signature_invalid',
        );
      } finally {
        idp.keys.delete('rsa-second');
      }
    });
  });

  describe('time claims (injected clock)', () => {
    it('rejects an expired token with jwt_expired', async () => {
      await rejectsWith(
        verifier().verify(await sign(keys.RS256, { exp: NOW - 1 })),
        'authenticationFailed',
        'jwt_expired',
      );
    });

    it('rejects a token expiring exactly now (RFC 7519 §4.1.4: on or after exp)', async () => {
      await rejectsWith(
        verifier().verify(await sign(keys.RS256, { exp: NOW })),
        'authenticationFailed',
        'jwt_expired',
      );
    });

    it('accepts a slightly expired token within the leeway, and not beyond it', async () => {
      const lenient = verifier({ config: { leeway: 30_000 } });
      assert.equal((await lenient.verify(await sign(keys.RS256, { exp: NOW - 10 }))).exp, NOW - 10);
      await rejectsWith(
        lenient.verify(await sign(keys.RS256, { exp: NOW - 31 })),
        'authenticationFailed',
        'jwt_expired',
      );
    });

    it('rejects a token whose nbf is in the future with jwt_not_yet_valid; the leeway covers skew', async () => {
      const token = await sign(keys.RS256, { nbf: NOW + 60 });
      await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_not_yet_valid');
      assert.equal((await verifier({ config: { leeway: 60_000 } }).verify(token)).nbf, NOW + 60);
    });

    it('rejects a token issued in the future with jwt_issued_in_future; the leeway covers skew', async () => {
      const token = await sign(keys.RS256, { iat: NOW + 60 });
      await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_issued_in_future');
      assert.equal((await verifier({ config: { leeway: 60_000 } }).verify(token)).iat, NOW + 60);
      await rejectsWith(
        verifier({ config: { leeway: 59_000 } }).verify(token),
        'authenticationFailed',
        'jwt_issued_in_future',
      );
    });

    it('rejects a token without exp with jwt_exp_missing (RFC 9068 §2.2)', async () => {
      await rejectsWith(
        verifier().verify(await sign(keys.RS256, { exp: undefined })),
        'authenticationFailed',
        'jwt_exp_missing',
      );
    });

    for (const claim of ['exp', 'nbf', 'iat']) {
      it(`rejects a token whose ${claim} is a numeric string with jwt_claim_invalid`, async () => {
        const value = String(claim === 'exp' ? NOW + 300 : NOW - 10);
        await rejectsWith(
          verifier().verify(await sign(keys.RS256, { [claim]: value })),
          'authenticationFailed',
          'jwt_claim_invalid',
        );
      });
    }
  });

  describe('signatures and keys', () => {
    it('rejects a token whose payload was tampered with (jwt_signature_invalid)', async () => {
      const [header, , signature] = (await sign(keys.RS256, { sub: 'alice' })).split('.');
      const forged = `${header}.${encodeSegment({ iss: idp.issuer, sub: 'admin', exp: NOW + 300 })}.${signature}`;
      await rejectsWith(verifier().verify(forged), 'authenticationFailed', 'jwt_signature_invalid');
    });

    it('rejects a token signed by a key the IdP does not publish under a published kid', async () => {
      const impostor = await makeKey('RS256', keys.RS256.kid);
      await rejectsWith(
        verifier().verify(await sign(impostor)),
        'authenticationFailed',
        'jwt_signature_invalid',
      );
    });

    it('re-fetches the JWK Set once for an unknown kid and accepts the token after key rotation', async () => {
      const verify = verifier({ cooldownMs: 0 });
      await verify.verify(await sign(keys.RS256));
      assert.equal(idp.jwksHits, 1);
      const rotated = await idp.addKey('RS256', 'rsa-rotated');
      try {
        const claims = await verify.verify(await sign(rotated, { sub: 'after-rotation' }));
        assert.equal(claims.sub, 'after-rotation');
        assert.equal(idp.jwksHits, 2, 'one re-fetch for the unknown kid');
        await verify.verify(await sign(rotated));
        assert.equal(idp.jwksHits, 2, 'the rotated key is now cached');
      } finally {
        idp.keys.delete('rsa-rotated');
      }
    });

    it('does not re-fetch the JWK Set for unknown kids within the cooldown (jwks_no_matching_key)', async () => {
      const verify = verifier({ cooldownMs: 60_000 });
      await verify.verify(await sign(keys.RS256));
      const rotated = await idp.addKey('RS256', 'rsa-too-new');
      try {
        for (let i = 0; i < 3; i++) {
          await rejectsWith(
            verify.verify(await sign(rotated)),
            'authenticationFailed',
            'jwks_no_matching_key',
          );
        }
        assert.equal(idp.jwksHits, 1);
      } finally {
        idp.keys.delete('rsa-too-new');
      }
    });

    it('never fetches keys from jku, x5u or an embedded jwk header', async () => {
      const attacker = await TestServer.start();
      try {
        const forger = await makeKey('RS256', 'attacker-key');
        attacker.json('/jwks', { keys: [forger.publicJwk] });
        const token = await sign(
          forger,
          { sub: 'admin' },
          {
            jku: `${attacker.url}/jwks`,
            x5u: `${attacker.url}/cert.pem`,
            jwk: await exportJWK(forger.publicKey),
          },
        );
        await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwks_no_matching_key');
        assert.equal(attacker.requests.length, 0);
      } finally {
        await attacker.close();
      }
    });
  });

  describe('algorithms', () => {
    it('rejects alg none before any key lookup', async () => {
      const token = `${encodeSegment({ alg: 'none', typ: 'JWT' })}.${encodeSegment({ iss: idp.issuer, sub: 'admin', exp: NOW + 300 })}.`;
      await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_algorithm_not_allowed');
      assert.equal(idp.server.requests.length, 0);
    });

    it('rejects HS256 signed with the RSA public key (PEM and JWK bytes) as secret, unverified', async () => {
      const pem = await exportSPKI(keys.RS256.publicKey);
      for (const secret of [pem, JSON.stringify(keys.RS256.publicJwk)]) {
        const token = await new SignJWT({ iss: idp.issuer, sub: 'admin', exp: NOW + 300 })
          .setProtectedHeader({ alg: 'HS256', kid: keys.RS256.kid })
          .sign(new TextEncoder().encode(secret));
        // Even a configuration listing HS256 does not let it through.
        const lenient = verifier({ config: { algorithms: ['RS256', 'HS256'] } });
        await rejectsWith(lenient.verify(token), 'authenticationFailed', 'jwt_algorithm_not_allowed');
      }
      assert.equal(idp.server.requests.length, 0, 'no discovery or JWKS fetch for an HS256 token');
    });

    it('rejects an asymmetric alg that the configuration does not list', async () => {
      const verify = verifier({ config: { algorithms: ['RS256'] } });
      await rejectsWith(
        verify.verify(await sign(keys.ES256)),
        'authenticationFailed',
        'jwt_algorithm_not_allowed',
      );
      assert.equal(idp.server.requests.length, 0);
    });

    it('refuses a configuration allowing only none and HS* (configInvalid)', () => {
      assert.throws(
        () => verifier({ config: { algorithms: ['none', 'HS256'] } }),
        (error: unknown) => error instanceof TokenguardError && error.code === 'configInvalid',
      );
    });
  });

  describe('malformed tokens', () => {
    for (const [what, token] of [
      ['not a JWT', 'opaque-token'],
      ['a JWE (five parts)', 'a.b.c.d.e'],
      ['a header that is not JSON', `${base64url.encode('nope')}.${encodeSegment({})}.sig`],
      ['a header without alg', `${encodeSegment({ typ: 'JWT' })}.${encodeSegment({})}.sig`],
    ]) {
      it(`rejects ${what} with jwt_malformed`, async () => {
        await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_malformed');
      });
    }

    it('rejects a payload that is not JSON with jwt_malformed', async () => {
      const token = `${encodeSegment({ alg: 'RS256', kid: keys.RS256.kid })}.${base64url.encode('[1,2')}.sig`;
      await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_malformed');
    });

    it('never puts the token in an error detail', async () => {
      const token = await sign(keys.RS256, { exp: NOW - 1 });
      const error = await rejectsWith(verifier().verify(token), 'authenticationFailed', 'jwt_expired');
      for (const part of token.split('.')) {
        assert.ok(!error.message.includes(part) && !(error.detail ?? '').includes(part));
      }
    });
  });

  describe('issuers', () => {
    it('rejects a token without iss with jwt_issuer_missing', async () => {
      await rejectsWith(
        verifier().verify(await sign(keys.RS256, { iss: undefined })),
        'authenticationFailed',
        'jwt_issuer_missing',
      );
    });

    it('rejects an untrusted issuer with jwt_issuer_untrusted, fetching nothing', async () => {
      await rejectsWith(
        verifier().verify(await sign(keys.RS256, { iss: 'https://evil.example.com' })),
        'authenticationFailed',
        'jwt_issuer_untrusted',
      );
      assert.equal(idp.server.requests.length, 0);
    });

    it('rejects glob bypass attempts as untrusted', async () => {
      const verify = verifier({ trust: { trustedIssuerUrls: ['https://*.example.com/idp'] } });
      for (const iss of [
        'https://evil.com/.example.com/idp',
        'https://a.example.com.evil.com/idp',
        'https://x.example.com@evil.com/idp',
        'https://a.example.com:8443/idp',
        'http://a.example.com/idp',
      ]) {
        await rejectsWith(
          verify.verify(await sign(keys.RS256, { iss })),
          'authenticationFailed',
          'jwt_issuer_untrusted',
        );
      }
    });

    it('answers serviceUnavailable, not 401, when the IdP is down (closed port, discovery)', async () => {
      const down = await closedPortUrl();
      const verify = verifier({ trust: { trustedIssuerUrls: [down] } });
      const error = await rejectsWith(
        verify.verify(await sign(keys.RS256, { iss: down })),
        'serviceUnavailable',
        'discovery_failed',
      );
      assert.equal(error.httpStatus, 503);
    });

    it('answers serviceUnavailable jwks_unavailable when the JWKS endpoint is down', async () => {
      const down = await closedPortUrl();
      const verify = verifier({ trust: { jwksUri: { [idp.issuer]: `${down}/jwks` } } });
      await rejectsWith(verify.verify(await sign(keys.RS256)), 'serviceUnavailable', 'jwks_unavailable');
    });
  });

  describe('audience', () => {
    it('accepts any aud (or none) when nothing is expected', async () => {
      assert.equal((await verifier().verify(await sign(keys.RS256, { aud: 'anything' }))).aud, 'anything');
      assert.equal((await verifier().verify(await sign(keys.RS256))).aud, undefined);
    });

    it('matches aud values against expectedAudience globs', async () => {
      const verify = verifier({ config: { expectedAudience: ['https://*.my-service.com', 'exact-api'] } });
      await verify.verify(await sign(keys.RS256, { aud: 'https://api.my-service.com' }));
      await verify.verify(await sign(keys.RS256, { aud: ['other', 'exact-api'] }));
      await verify.verify(await sign(keys.RS256, { aud: ['other', 'https://eu.my-service.com'] }));
      for (const aud of ['https://api.other.com', ['other', 'exact-api-2'], 'https://my-service.com']) {
        await rejectsWith(
          verify.verify(await sign(keys.RS256, { aud })),
          'authenticationFailed',
          'jwt_audience_invalid',
        );
      }
      await rejectsWith(
        verify.verify(await sign(keys.RS256)),
        'authenticationFailed',
        'jwt_audience_invalid',
      );
    });

    it('rejects a token without aud when requireAudience is set', async () => {
      const verify = verifier({ config: { requireAudience: true } });
      await rejectsWith(
        verify.verify(await sign(keys.RS256)),
        'authenticationFailed',
        'jwt_audience_invalid',
      );
      await rejectsWith(
        verify.verify(await sign(keys.RS256, { aud: [] })),
        'authenticationFailed',
        'jwt_audience_invalid',
      );
      assert.equal((await verify.verify(await sign(keys.RS256, { aud: 'api' }))).aud, 'api');
    });

    it('rejects an aud that is neither a string nor an array of strings', async () => {
      await rejectsWith(
        verifier({ config: { requireAudience: true } }).verify(await sign(keys.RS256, { aud: 42 })),
        'authenticationFailed',
        'jwt_audience_invalid',
      );
    });
  });

  describe('typ (RFC 9068 §2.1)', () => {
    it('accepts at+jwt and application/at+jwt when at+jwt is required', async () => {
      const verify = verifier({ config: { requireType: 'at+jwt' } });
      await verify.verify(await sign(keys.RS256, {}, { typ: 'at+jwt' }));
      await verify.verify(await sign(keys.RS256, {}, { typ: 'application/at+jwt' }));
      await verify.verify(await sign(keys.RS256, {}, { typ: 'AT+JWT' }));
    });

    it('rejects another or a missing typ when at+jwt is required (jwt_type_invalid)', async () => {
      const verify = verifier({ config: { requireType: 'at+jwt' } });
      await rejectsWith(
        verify.verify(await sign(keys.RS256, {}, { typ: 'JWT' })),
        'authenticationFailed',
        'jwt_type_invalid',
      );
      await rejectsWith(verify.verify(await sign(keys.RS256)), 'authenticationFailed', 'jwt_type_invalid');
    });

    it('accepts any typ when none is required', async () => {
      const claims = await verifier().verify(await sign(keys.RS256, { sub: 'typed' }, { typ: 'JWT' }));
      assert.equal(claims.sub, 'typed');
    });
  });
});

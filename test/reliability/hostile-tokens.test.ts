/**
 * Hostile input, part 1: tokens. Property-based tests (fast-check) against the real pipeline verifying JWTs
 * with keys fetched by discovery from a loopback IdP, and the same pipeline in introspection mode.
 *
 * The properties: whatever arrives in the `Authorization` header, `check` settles with a TokenguardError of
 * a client code (400 / 401) and never throws anything else; a token is accepted only when it is byte for
 * byte what the IdP signed; forgery classics (`alg: none` in any case, HS256 keyed with the RSA public key,
 * `jku` / `x5u` / `jwk` headers, `crit`, attacker keys behind a real `kid`) are refused.
 * Every input that once failed is kept in `corpus/tokens.json` and replayed first.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { isTokenguardError } from '../../src/errors/tokenguard-error.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { type StubIdp, startStubIdp } from '../support/stub-idp.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const CLIENT_CODES = new Set(['bearerTokenMissing', 'invalidRequest', 'authenticationFailed']);

let idp: StubIdp;
let jwtAuth: Authenticator;
let introspectionAuth: Authenticator;
let valid: string;

/** The outcome of one check: 'accepted', or the error code; anything but a TokenguardError fails the test. */
async function outcome(auth: Authenticator, authorization: string): Promise<string> {
  try {
    await auth.check({ headers: { authorization } });
    return 'accepted';
  } catch (error) {
    assert.ok(isTokenguardError(error), `not a TokenguardError: ${String(error)}`);
    return error.code;
  }
}

async function assertRefused(auth: Authenticator, authorization: string): Promise<void> {
  const code = await outcome(auth, authorization);
  assert.ok(CLIENT_CODES.has(code), `expected a 400/401 code, got ${code} for ${authorization.slice(0, 80)}`);
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS with any header and payload (raw strings are taken as they are) and a given signature. */
const compact = (header: unknown, payload: unknown, signature = 'AAAA') =>
  `${b64(header)}.${b64(payload)}.${signature}`;

before(async () => {
  idp = await startStubIdp();
  jwtAuth = createAuthenticator({ config: { jwt: { trustedIssuerUrls: [idp.issuer] } } });
  introspectionAuth = createAuthenticator({
    config: {
      introspection: { endpoint: `${idp.url}/introspect`, clientAuth: { accessToken: 'introspector' } },
      jwt: { enabled: false },
    },
  });
  valid = await idp.sign({ sub: 'alice', scope: 'read' });
  assert.equal(await outcome(jwtAuth, `Bearer ${valid}`), 'accepted');
  assert.equal(await outcome(introspectionAuth, `Bearer ${valid}`), 'accepted');
});

after(async () => {
  await jwtAuth.close();
  await introspectionAuth.close();
  await idp.close();
});

describe('hostile tokens: the regression corpus', () => {
  it('refuses every input that once failed', async () => {
    const corpus = JSON.parse(readFileSync(new URL('./corpus/tokens.json', import.meta.url), 'utf8')) as {
      authorization: string;
      why: string;
    }[];
    for (const entry of corpus) {
      await assertRefused(jwtAuth, entry.authorization);
      await assertRefused(introspectionAuth, entry.authorization);
    }
  });
});

describe('hostile tokens: properties', () => {
  it('any header value settles with a client error code, never a throw of another kind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String()), (value) =>
        assertRefused(jwtAuth, value),
      ),
      { numRuns: RUNS },
    );
  });

  it('any "Bearer <random>" token is refused in JWT and in introspection mode', async () => {
    const token = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join('.')),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(token, async (value) => {
        await assertRefused(jwtAuth, `Bearer ${value}`);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(token, async (value) => {
        await assertRefused(introspectionAuth, `Bearer ${value}`);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('a valid token with any one character changed is refused, unless it decodes to the same bytes', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    const decoded = (token: string) =>
      token.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...alphabet),
        async (index, replacement) => {
          const mutated = valid.slice(0, index) + replacement + valid.slice(index + 1);
          // base64url's last character may carry unused bits: such a change leaves the signed bytes alone,
          // and either answer is safe for it (jose refuses non-canonical encodings).
          const same = mutated.split('.').length === 3 && decoded(mutated).join() === decoded(valid).join();
          const code = await outcome(jwtAuth, `Bearer ${mutated}`);
          if (!same) assert.ok(CLIENT_CODES.has(code), `mutation at ${index} gave ${code}`);
          else assert.ok(code === 'accepted' || CLIENT_CODES.has(code));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses crafted headers and payloads: random JSON where the header and claims go', async () => {
    const json = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()));
    await fc.assert(
      fc.asyncProperty(json, json, fc.base64String(), async (header, payload, signature) => {
        await assertRefused(
          jwtAuth,
          `Bearer ${compact(header, payload, signature.replace(/=+$/, '') || 'A')}`,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses alg none in any case, with or without a signature', async () => {
    const variants = fc.constantFrom('none', 'None', 'NONE', 'nOnE', 'NoNe');
    await fc.assert(
      fc.asyncProperty(variants, fc.constantFrom('', 'AAAA'), async (alg, signature) => {
        const token = `${b64({ alg, typ: 'JWT' })}.${b64({ iss: idp.issuer, sub: 'mallory', exp: 4102444800 })}.${signature}`;
        await assertRefused(jwtAuth, `Bearer ${token}`);
      }),
      { numRuns: 50 },
    );
  });
});

describe('hostile tokens: forgeries signed for real', () => {
  const claims = () => ({ iss: idp.issuer, sub: 'mallory', scope: 'admin' });

  it('refuses HS256 keyed with the IdP public key (algorithm confusion)', async () => {
    const jwks = (await (await fetch(`${idp.url}/jwks`)).json()) as { keys: Record<string, string>[] };
    const { importJWK } = await import('jose');
    const publicKey = await importJWK({ ...jwks.keys[0], alg: 'RS256' } as never, 'RS256');
    const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
    for (const secret of [pem, JSON.stringify(jwks.keys[0]), jwks.keys[0].n]) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const token = await new SignJWT(claims())
          .setProtectedHeader({ alg, kid: jwks.keys[0].kid })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(secret));
        await assertRefused(jwtAuth, `Bearer ${token}`);
      }
    }
  });

  it('refuses attacker keys announced by jku, x5u or jwk, or hidden behind the real kid', async () => {
    const attacker = await generateKeyPair('RS256');
    const attackerJwk = await exportJWK(attacker.publicKey);
    const headers = [
      { alg: 'RS256', kid: 'stub-key-1' },
      { alg: 'RS256', jwk: attackerJwk },
      { alg: 'RS256', kid: 'evil', jku: 'http://127.0.0.1:1/jwks' },
      { alg: 'RS256', kid: 'evil', x5u: 'http://127.0.0.1:1/cert.pem' },
      { alg: 'RS256', kid: '../../../../etc/passwd' },
      { alg: 'RS256', kid: "' OR 1=1 --" },
      { alg: 'RS256', kid: 'stub-key-1', crit: ['exp'] },
      { alg: 'RS256', kid: 'stub-key-1', crit: ['x-unknown'], 'x-unknown': true },
    ];
    const payload = { ...claims(), exp: Math.floor(Date.now() / 1000) + 3600 };
    for (const header of headers) {
      // Signed by hand: jose itself refuses to sign with unknown `crit` members.
      const input = `${b64(header)}.${b64(payload)}`;
      const signature = await crypto.subtle.sign(
        'RSASSA-PKCS1-v1_5',
        attacker.privateKey as Parameters<typeof crypto.subtle.sign>[1],
        new TextEncoder().encode(input),
      );
      await assertRefused(jwtAuth, `Bearer ${input}.${Buffer.from(signature).toString('base64url')}`);
    }
  });

  it('refuses real signatures over bad claims: exp as a string, negative exp, untrusted last duplicate iss', async () => {
    const payloads: Record<string, unknown>[] = [
      { iss: idp.issuer, sub: 'a', exp: String(Math.floor(Date.now() / 1000) + 3600) },
      { iss: idp.issuer, sub: 'a', exp: -1 },
      { iss: idp.issuer, sub: 'a', exp: 0 },
      { iss: idp.issuer, sub: 'a' },
      { iss: idp.issuer, sub: 'a', exp: 4102444800, nbf: 4102444000 },
      { iss: 'https://evil.example', sub: 'a', exp: 4102444800 },
    ];
    for (const payload of payloads) {
      const token = await idp.sign({ exp: undefined, ...payload });
      const withoutDefaults = await outcome(jwtAuth, `Bearer ${token}`);
      assert.ok(CLIENT_CODES.has(withoutDefaults), `${JSON.stringify(payload)} gave ${withoutDefaults}`);
    }
    // Duplicate keys: JSON.parse keeps the last one, both when routing by issuer and when verifying.
    const header = b64({ alg: 'RS256', kid: 'stub-key-1' });
    const body = Buffer.from(
      `{"iss":"${idp.issuer}","sub":"a","exp":4102444800,"iss":"https://evil.example"}`,
    ).toString('base64url');
    await assertRefused(jwtAuth, `Bearer ${header}.${body}.${valid.split('.')[2]}`);
  });

  it('survives a 100 kB header, deeply nested JSON and a 1 MB token without crashing', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const inputs = [
      `Bearer ${compact({ alg: 'RS256', kid: 'x'.repeat(100_000) }, { iss: idp.issuer })}`,
      `Bearer ${compact(nested, nested)}`,
      `Bearer ${'a'.repeat(1_000_000)}`,
      `Bearer ${compact({ alg: 'RS256' }, `{"iss":${JSON.stringify(idp.issuer)},"x":${nested}}`)}`,
    ];
    for (const input of inputs) {
      await assertRefused(jwtAuth, input);
      await assertRefused(introspectionAuth, input);
    }
  });
});

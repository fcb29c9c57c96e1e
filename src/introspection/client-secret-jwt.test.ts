/**
 * @module introspection/client-secret-jwt.test
 * `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9) end to end: the stub IdP verifies each HMAC
 * assertion with the shared secret and checks its claims (RFC 7523 §3); secrets too short for the
 * algorithm (RFC 7518 §3.2) fail at startup without being echoed.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
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

const TOKEN = 'opaque-token-3';
const SECRET = 'a-shared-secret-of-64-bytes-0123456789-0123456789-0123456789-012';

describe('client_secret_jwt', () => {
  const { idp, http, metadata } = useStubIdp();
  const clock = new TestClock(Date.now());
  let verified: VerifiedAssertion[];

  beforeEach(() => {
    verified = [];
    // The IdP side of RFC 7523 §3 with the shared secret as the HMAC key.
    const key = new TextEncoder().encode(SECRET);
    idp.handler = assertionChecker(idp, { key: () => key, now: clock.now, verified });
  });

  function transport(clientAuth: IntrospectionInput['clientAuth'] = {}) {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        clientAuth: { method: 'client_secret_jwt', clientId: 'rs', clientSecret: SECRET, ...clientAuth },
      }),
      { http, metadata, now: clock.now },
    );
  }

  it('sends a fresh HS256 assertion per request in the form, and no secret', async () => {
    const subject = transport();
    assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.equal(verified.length, 2, 'both assertions verified by the IdP');
    const [first, second] = verified;
    assert.deepEqual(first.header, { alg: 'HS256' }, 'no kid: the secret is the only key');
    assert.equal(first.payload.exp, (first.payload.iat as number) + ASSERTION_LIFETIME_SECONDS);
    assert.notEqual(first.payload.jti, second.payload.jti, 'unique jti');
    const [request] = idp.requests;
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual([...request.form.keys()], ['token', 'client_assertion_type', 'client_assertion']);
    assert.ok(!request.body.includes(SECRET));
    assert.ok(subject.id.includes('|client_secret_jwt:rs|'));
  });

  it('signs with HS384 and HS512 when configured', async () => {
    for (const secretJwtAlg of ['HS384', 'HS512'] as const) {
      idp.requests.length = 0;
      await transport({ secretJwtAlg }).introspect(TOKEN);
      const assertion = idp.requests[0].form.get('client_assertion')!;
      assert.equal(decodeProtectedHeader(assertion).alg, secretJwtAlg);
    }
    assert.equal(verified.length, 2);
  });

  it('is refused by an IdP that holds another secret', async () => {
    const wrong = transport({ clientSecret: `${SECRET.slice(0, -1)}x` });
    await assert.rejects(wrong.introspect(TOKEN), {
      code: 'serviceUnavailable',
      reason: 'idp_rejected_our_credentials',
    });
  });

  it('fails at startup without a secret, or with one shorter than the hash (RFC 7518 §3.2)', () => {
    const cases: Array<[IntrospectionInput['clientAuth'], string]> = [
      [{ clientSecret: '' }, 'auth.introspection.clientAuth.clientSecret'],
      [{ clientId: '' }, 'auth.introspection.clientAuth.clientId'],
      [{ clientSecret: 'short-secret-of-31-bytes-123456' }, 'auth.introspection.clientAuth.clientSecret'],
      [
        { clientSecret: SECRET.slice(0, 47), secretJwtAlg: 'HS384' },
        'auth.introspection.clientAuth.clientSecret',
      ],
      [
        { clientSecret: SECRET.slice(0, 63), secretJwtAlg: 'HS512' },
        'auth.introspection.clientAuth.clientSecret',
      ],
    ];
    for (const [clientAuth, path] of cases) {
      const config = introspectionConfig({
        clientAuth: { method: 'client_secret_jwt', clientId: 'rs', clientSecret: SECRET, ...clientAuth },
      });
      assert.throws(
        () => createClientAuth(config, { http, metadata }),
        (error: { code?: string; path?: string; message: string }) => {
          assert.equal(error.code, 'configInvalid');
          assert.equal(error.path, path);
          assert.ok(!error.message.includes('short-secret') && !error.message.includes('shared-secret'));
          return true;
        },
      );
    }
    const exact = introspectionConfig({
      clientAuth: { method: 'client_secret_jwt', clientId: 'rs', clientSecret: SECRET.slice(0, 32) },
    });
    assert.equal(createClientAuth(exact, { http, metadata }).identity, 'client_secret_jwt:rs');
  });
});

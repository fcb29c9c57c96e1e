/**
 * @module introspection/response.test
 * Signed introspection answers (RFC 9701) through the transport and a real stub IdP: the request asks for
 * them, a well-formed answer is unwrapped, and each broken property (typ, iss, aud, signature, content
 * type, envelope) makes the answer a bad one. Also the small pure helpers of the module.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { createLocalJWKSet, type JWK, SignJWT } from 'jose';
import { sendJson } from '../../test/support/loopback.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import { describeUrl, INTROSPECTION_JWT_MEDIA_TYPE, mediaTypeOf } from './response.ts';
import {
  type IntrospectionInput,
  introspectionConfig,
  rejectsUnavailable,
  TestClock,
  useStubIdp,
} from './test-support/fixtures.ts';

const TOKEN = 'opaque-token-4';
const SECRET = 'rs-secret';
const ISSUER = 'https://idp.example.com';

interface SignedAnswer {
  claims?: Record<string, unknown>;
  typ?: string;
  key?: KeyObject;
  contentType?: string;
}

describe('RFC 9701 signed answers', () => {
  const clock = new TestClock();
  const idpKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keySet = createLocalJWKSet({
    keys: [{ ...(idpKey.publicKey.export({ format: 'jwk' }) as JWK), kid: 'idp-1', alg: 'RS256' }],
  });
  const { idp, http, metadata } = useStubIdp();
  let keySetsAsked: string[];
  /** What the stub signs and sends next. */
  let next: SignedAnswer;

  before(() => {
    idp.handler = async (_request, response) => {
      const iat = Math.floor(clock.ms / 1000);
      const jwt = await new SignJWT({
        iss: ISSUER,
        aud: 'rs',
        iat,
        token_introspection: { active: true, sub: 'alice', scope: 'read' },
        ...next.claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1', typ: next.typ ?? 'token-introspection+jwt' })
        .sign(next.key ?? idpKey.privateKey);
      response.writeHead(200, { 'content-type': next.contentType ?? INTROSPECTION_JWT_MEDIA_TYPE });
      response.end(jwt);
    };
  });
  beforeEach(() => {
    keySetsAsked = [];
    next = {};
  });

  function transport(input: IntrospectionInput = {}) {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        issuer: ISSUER,
        accept: 'jwt',
        clientAuth: { clientId: 'rs', clientSecret: SECRET },
        ...input,
      }),
      {
        http,
        metadata,
        now: clock.now,
        getKeySet: async (issuerUrl) => {
          keySetsAsked.push(issuerUrl);
          return keySet;
        },
      },
    );
  }

  it('asks for a signed answer and unwraps token_introspection', async () => {
    assert.deepEqual(await transport().introspect(TOKEN), { active: true, sub: 'alice', scope: 'read' });
    assert.equal(idp.requests[0].headers.accept, INTROSPECTION_JWT_MEDIA_TYPE);
    assert.deepEqual(keySetsAsked, [ISSUER]);
  });

  it('reduces a signed inactive answer to {active:false}', async () => {
    next = { claims: { token_introspection: { active: false, sub: 'alice' } } };
    assert.deepEqual(await transport().introspect(TOKEN), { active: false });
  });

  it('checks aud against the configured audience when there is one', async () => {
    next = { claims: { aud: ['other', 'api://rs'] } };
    assert.equal((await transport({ audience: 'api://rs' }).introspect(TOKEN)).active, true);
    const error = await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [
      TOKEN,
      SECRET,
    ]);
    assert.match(error.detail ?? '', /"aud"/, 'without one, the client id is expected');
  });

  /** Each broken answer, and what the error detail must name (so that it fails for that reason). */
  const broken: Array<[string, SignedAnswer, RegExp]> = [
    ['a wrong typ', { typ: 'JWT' }, /"typ"/],
    ['an access-token typ', { typ: 'at+jwt' }, /"typ"/],
    ['a wrong iss', { claims: { iss: 'https://evil.example.com' } }, /"iss"/],
    ['a wrong aud', { claims: { aud: 'another-rs' } }, /"aud"/],
    ['no iat', { claims: { iat: undefined } }, /"iat"/],
    ['a signature by another key', { key: otherKey.privateKey }, /signature/],
    ['a JSON content type', { contentType: 'application/json' }, /content type "application\/json"/],
    [
      'no token_introspection',
      { claims: { token_introspection: undefined, active: true } },
      /token_introspection/,
    ],
    [
      'a token_introspection without boolean active',
      { claims: { token_introspection: { active: 'true' } } },
      /"active"/,
    ],
  ];
  for (const [name, answer, detail] of broken) {
    it(`rejects a signed answer with ${name}`, async () => {
      next = answer;
      const error = await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [
        TOKEN,
        SECRET,
      ]);
      assert.match(error.detail ?? '', detail);
    });
  }

  it('rejects a plain JSON answer when a signed one was asked for', async () => {
    const signed = idp.handler;
    idp.handler = (_request, response) => sendJson(response, 200, { active: true, sub: 'mallory' });
    try {
      await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [TOKEN, SECRET]);
    } finally {
      idp.handler = signed;
    }
  });

  it('needs an issuer, an audience and a key set source at startup', () => {
    const config = (input: IntrospectionInput) =>
      introspectionConfig({ endpoint: idp.url('/introspect'), accept: 'jwt', ...input });
    const getKeySet = async () => keySet;
    const cases: Array<[() => unknown, string]> = [
      [
        () => new HttpIntrospectionTransport(config({ audience: 'rs' }), { http, metadata, getKeySet }),
        'issuer',
      ],
      [
        () => new HttpIntrospectionTransport(config({ issuer: ISSUER }), { http, metadata, getKeySet }),
        'audience',
      ],
      [
        () => new HttpIntrospectionTransport(config({ issuer: ISSUER, audience: 'rs' }), { http, metadata }),
        'accept',
      ],
    ];
    for (const [create, key] of cases) {
      assert.throws(create, { code: 'configInvalid', path: `auth.introspection.${key}` });
    }
  });
});

describe('response helpers', () => {
  it('describes a URL without its query string', () => {
    assert.equal(
      describeUrl('https://idp.example.com/introspect?api_key=s3cret'),
      'https://idp.example.com/introspect',
    );
  });

  it('reads the media type of a Content-Type value', () => {
    assert.equal(
      mediaTypeOf('Application/Token-Introspection+JWT; charset=utf-8'),
      INTROSPECTION_JWT_MEDIA_TYPE,
    );
    assert.equal(mediaTypeOf(undefined), '');
  });
});

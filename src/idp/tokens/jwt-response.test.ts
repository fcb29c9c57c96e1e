/**
 * @module idp/tokens/jwt-response.test
 * RFC 9701 signed introspection responses, verified with jose against the tenant's JWKS.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { signIntrospectionResponse } from './jwt-response.ts';
import { jwsSegments, RFC9068_REALM, START, STATIC_CALLER, setup } from './test-support/fixtures.ts';

describe('signIntrospectionResponse', () => {
  it('signs {iss, aud, iat, token_introspection} with typ token-introspection+jwt, verifiable with the JWKS', async () => {
    const f = await setup();
    const app = await f.client();
    const { access_token } = await f.service.issue({
      realm: RFC9068_REALM,
      client: app,
      subject: 'app',
      scope: ['read'],
      withRefreshToken: false,
    });
    const answer = await f.service.introspect({
      realm: RFC9068_REALM,
      token: access_token,
      caller: STATIC_CALLER,
    });
    const jws = await signIntrospectionResponse({
      realm: RFC9068_REALM,
      answer,
      audience: 'resource-server',
      keys: f.keys,
      now: () => f.clock.now,
    });

    const { payload, protectedHeader } = await jwtVerify(
      jws,
      createLocalJWKSet(await f.keys.jwks('default')),
      {
        typ: 'token-introspection+jwt',
        issuer: RFC9068_REALM.issuer,
        audience: 'resource-server',
        algorithms: ['RS256'],
        currentDate: new Date(START * 1000),
      },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, (await f.keys.activeKey('default')).kid);
    assert.deepEqual(Object.keys(payload), ['iss', 'aud', 'iat', 'token_introspection']);
    assert.equal(payload.iss, RFC9068_REALM.issuer);
    assert.equal(payload.aud, 'resource-server');
    assert.equal(payload.iat, START);
    assert.deepEqual(payload.token_introspection, answer);
    assert.equal((payload.token_introspection as { active: boolean }).active, true);
    // §5: no top-level sub or exp, so the response can never pass for an access token.
    assert.equal('sub' in payload, false);
    assert.equal('exp' in payload, false);
    assert.equal(JSON.parse(jwsSegments(jws).header).typ, 'token-introspection+jwt');
  });

  it('wraps an inactive answer as {"active":false}', async () => {
    const f = await setup();
    const answer = await f.service.introspect({
      realm: RFC9068_REALM,
      token: 'unknown',
      caller: STATIC_CALLER,
    });
    const jws = await signIntrospectionResponse({
      realm: RFC9068_REALM,
      answer,
      audience: 'rs',
      keys: f.keys,
      now: () => f.clock.now,
    });
    assert.equal(
      JSON.stringify(JSON.parse(jwsSegments(jws).payload).token_introspection),
      '{"active":false}',
    );
  });
});

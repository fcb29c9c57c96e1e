/**
 * @module introspection/client-credentials.test
 * Our own access token (RFC 6749 §4.4) against a real stub IdP with a token endpoint and an introspection
 * endpoint that only accepts the tokens it issued: one token request for many concurrent introspections,
 * renewal before expiry, one refresh and retry when the IdP refuses the token, and the cooldown after it.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { sendJson } from '../../test/support/loopback.ts';
import { INVALIDATE_COOLDOWN_MS } from './client-credentials.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import {
  type IntrospectionInput,
  introspectionConfig,
  rejectsUnavailable,
  TestClock,
  useStubIdp,
} from './test-support/fixtures.ts';

const SECRET = 'client-secret-xyz';
const TOKEN = 'user-token-abc';

describe('client_credentials', () => {
  const { idp, http, metadata } = useStubIdp();
  /** Tokens the stub currently accepts at the introspection endpoint. */
  let accepted: Set<string>;
  let expiresIn: number | undefined;

  beforeEach(() => {
    accepted = new Set();
    expiresIn = 3600;
    idp.handler = (request, response) => {
      switch (request.path) {
        case '/.well-known/openid-configuration':
          return sendJson(response, 200, {
            issuer: idp.origin,
            token_endpoint: idp.url('/discovered-token'),
          });
        case '/token':
        case '/discovered-token': {
          const value = `our-access-token-${tokenRequests().length}`;
          accepted.add(value);
          return sendJson(response, 200, {
            access_token: value,
            token_type: 'Bearer',
            expires_in: expiresIn,
          });
        }
        default: {
          const presented = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
          if (!accepted.has(presented)) return sendJson(response, 401, { error: 'invalid_token' });
          return sendJson(response, 200, { active: true, sub: 'alice' });
        }
      }
    };
  });

  function transport(input: IntrospectionInput = {}, clock = new TestClock()) {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        clientAuth: {
          method: 'client_credentials',
          clientId: 'rs',
          clientSecret: SECRET,
          tokenEndpoint: idp.url('/token'),
        },
        accessTokenScope: ['introspect', 'audit', 'introspect'],
        ...input,
      }),
      { http, metadata, now: clock.now },
    );
  }

  const tokenRequests = () => idp.requests.filter((request) => request.path.endsWith('token'));

  it('fetches one token for 20 concurrent introspections', async () => {
    const subject = transport();
    const answers = await Promise.all(Array.from({ length: 20 }, () => subject.introspect(TOKEN)));
    assert.ok(answers.every((answer) => answer.active && answer.sub === 'alice'));
    const [tokenRequest, ...more] = tokenRequests();
    assert.equal(more.length, 0, 'one token request');
    assert.equal(tokenRequest.path, '/token');
    assert.equal(
      tokenRequest.headers.authorization,
      `Basic ${Buffer.from(`rs:${SECRET}`).toString('base64')}`,
    );
    assert.equal(tokenRequest.headers['content-type'], 'application/x-www-form-urlencoded');
    // Sorted unique scopes, space-separated (go-authkit).
    assert.deepEqual(
      [...tokenRequest.form],
      [
        ['grant_type', 'client_credentials'],
        ['scope', 'audit introspect'],
      ],
    );
    const introspections = idp.requestsTo('/introspect');
    assert.equal(introspections.length, 20);
    assert.ok(
      introspections.every((request) => request.headers.authorization === 'Bearer our-access-token-1'),
    );
    assert.ok(
      subject.id.startsWith(`${idp.url('/introspect')}|client_credentials:rs scope=audit introspect||`),
    );
  });

  it('gets a new token when the IdP refuses ours once, and retries the introspection once', async () => {
    const subject = transport();
    await subject.introspect(TOKEN);
    accepted.clear(); // the IdP revokes our token
    assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.equal(tokenRequests().length, 2);
    assert.deepEqual(
      idp.requestsTo('/introspect').map((request) => request.headers.authorization),
      ['Bearer our-access-token-1', 'Bearer our-access-token-1', 'Bearer our-access-token-2'],
    );
  });

  it('shares one refresh among concurrent introspections that were all refused', async () => {
    const subject = transport();
    await subject.introspect(TOKEN);
    accepted.clear();
    const answers = await Promise.all(Array.from({ length: 10 }, () => subject.introspect(TOKEN)));
    assert.ok(answers.every((answer) => answer.active));
    assert.equal(tokenRequests().length, 2, 'one refresh for all of them');
  });

  it('drops its token at most once a minute, then reports the rejection without hammering', async () => {
    const clock = new TestClock();
    const subject = transport({}, clock);
    await subject.introspect(TOKEN);
    // A misconfigured IdP: issues tokens, accepts none.
    accepted.clear();
    const introspect = idp.handler;
    idp.handler = (request, response) =>
      request.path === '/token'
        ? sendJson(response, 200, {
            access_token: `never-accepted-${tokenRequests().length}`,
            expires_in: 3600,
          })
        : introspect(request, response);
    for (let attempt = 0; attempt < 3; attempt++) {
      await rejectsUnavailable(subject.introspect(TOKEN), 'idp_rejected_our_credentials', [TOKEN, SECRET]);
    }
    assert.equal(
      tokenRequests().length,
      2,
      'the first rejection refreshed; the next ones within a minute did not',
    );
    clock.advance(INVALIDATE_COOLDOWN_MS);
    await rejectsUnavailable(subject.introspect(TOKEN), 'idp_rejected_our_credentials', [SECRET]);
    assert.equal(tokenRequests().length, 3, 'after the cooldown, one more refresh');
  });

  it('renews its token shortly before expires_in ends', async () => {
    const clock = new TestClock();
    expiresIn = 300;
    const subject = transport({}, clock);
    await subject.introspect(TOKEN);
    clock.advance(300_000 - 30_001);
    await subject.introspect(TOKEN);
    assert.equal(tokenRequests().length, 1, 'still fresh');
    clock.advance(2);
    await subject.introspect(TOKEN);
    assert.equal(tokenRequests().length, 2, 'renewed within the margin before expiry');
  });

  it('discovers the token endpoint of the issuer when none is configured', async () => {
    const subject = transport({
      issuer: idp.origin,
      clientAuth: { method: 'client_credentials', clientId: 'rs', clientSecret: SECRET },
    });
    await subject.introspect(TOKEN);
    assert.deepEqual(
      tokenRequests().map((request) => request.path),
      ['/discovered-token'],
    );
    assert.deepEqual(metadata.asked, [idp.origin]);
  });

  it('reports a token endpoint that refuses our client as our credentials rejected', async () => {
    idp.handler = (_request, response) => sendJson(response, 400, { error: 'invalid_client' });
    await rejectsUnavailable(transport().introspect(TOKEN), 'idp_rejected_our_credentials', [TOKEN, SECRET]);
    assert.equal(idp.requestsTo('/introspect').length, 0);
  });

  it('rejects token answers it cannot use', async () => {
    const answers = [
      { token_type: 'Bearer', expires_in: 60 },
      { access_token: 'has spaces', expires_in: 60 },
      { access_token: 'pop-token', token_type: 'DPoP', expires_in: 60 },
    ];
    for (const answer of answers) {
      idp.handler = (_request, response) => sendJson(response, 200, answer);
      await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [TOKEN, SECRET]);
    }
  });
});

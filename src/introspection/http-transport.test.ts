/**
 * @module introspection/http-transport.test
 * The HTTP transport against a real stub IdP on loopback: the request it sends (RFC 7662 §2.1), the
 * answers it accepts (§2.2), how every failure of the IdP becomes a 503 of the right reason, and where the
 * endpoint comes from (static or discovered).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closedPortUrl, sendJson } from '../../test/support/loopback.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import type { HttpClient } from '../util/http-client.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import {
  type IntrospectionInput,
  introspectionConfig,
  rejectsUnavailable,
  TestClock,
  testHttpClient,
  useStubIdp,
} from './test-support/fixtures.ts';

const TOKEN = 'opaque-token-7f3a9c';
const SECRET = 's3cr3t-of-the-resource-server';

describe('HttpIntrospectionTransport', () => {
  const { idp, http, metadata } = useStubIdp();

  /** A transport of the static endpoint `/introspect`, authenticated with client_secret_basic. */
  function transport(input: IntrospectionInput = {}, deps: { now?: () => number; http?: HttpClient } = {}) {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: idp.url('/introspect'),
        clientAuth: { clientId: 'rs', clientSecret: SECRET },
        ...input,
      }),
      { http, metadata, ...deps },
    );
  }

  describe('request (RFC 7662 §2.1)', () => {
    it('POSTs the token form with hint, scope filter, extra params and headers', async () => {
      idp.handler = (_request, response) => sendJson(response, 200, { active: true, sub: 'alice' });
      const subject = transport({
        tokenTypeHint: 'access_token',
        scopeFilter: [{ rn: 'my_service' }, { rn: 'billing' }],
        params: { resource: 'https://api.example.com' },
        headers: { 'X-Tenant': 'acme' },
      });
      await subject.introspect(TOKEN, { requestId: 'req-42' });

      const [request] = idp.requests;
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/introspect');
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(request.headers.accept, 'application/json');
      assert.equal(request.headers['x-request-id'], 'req-42');
      assert.equal(request.headers['x-tenant'], 'acme');
      assert.deepEqual(
        [...request.form],
        [
          ['token', TOKEN],
          ['token_type_hint', 'access_token'],
          ['scope_filter[0].rn', 'my_service'],
          ['scope_filter[1].rn', 'billing'],
          ['resource', 'https://api.example.com'],
        ],
      );
      // go-authkit's wire form: the brackets are percent-encoded.
      assert.match(request.body, /&scope_filter%5B0%5D\.rn=my_service&/);
    });

    it('sends no token_type_hint or X-Request-ID when there is none', async () => {
      idp.handler = (_request, response) => sendJson(response, 200, { active: false });
      await transport().introspect(TOKEN);
      const [request] = idp.requests;
      assert.deepEqual([...request.form.keys()], ['token']);
      assert.equal(request.headers['x-request-id'], undefined);
    });

    it('drops a request id that cannot be a header value', async () => {
      idp.handler = (_request, response) => sendJson(response, 200, { active: false });
      await transport().introspect(TOKEN, { requestId: 'a\r\nInjected: yes' });
      assert.equal(idp.requests[0].headers['x-request-id'], undefined);
      assert.equal(idp.requests[0].headers.injected, undefined);
    });

    it('has an id naming endpoint, client identity and scope filter', () => {
      const subject = transport({ scopeFilter: [{ rn: 'b' }, { rn: 'a' }, { rn: 'b' }] });
      assert.match(
        subject.id,
        new RegExp(`^${idp.url('/introspect')}\\|client_secret_basic:rs\\|a,b\\|[\\w-]{12}$`),
      );
      assert.ok(!subject.id.includes(SECRET));
    });

    it('refuses extra params and headers that would override its own', () => {
      const overriding: Array<Record<string, string>> = [
        { token: 'x' },
        { 'scope_filter[0].rn': 'x' },
        { client_secret: 'x' },
      ];
      for (const params of overriding) {
        assert.throws(() => transport({ params }), {
          code: 'configInvalid',
          path: `auth.introspection.params.${Object.keys(params)[0]}`,
        });
      }
      const ownHeaders: Array<Record<string, string>> = [
        { Accept: 'text/html' },
        { Authorization: 'Basic eA==' },
      ];
      for (const headers of ownHeaders) {
        assert.throws(() => transport({ headers }), { code: 'configInvalid' });
      }
      // With no client authentication, a custom Authorization header is the user's own scheme.
      assert.doesNotThrow(() =>
        transport({ headers: { Authorization: 'ApiKey k' }, clientAuth: { method: 'none' } }),
      );
    });
  });

  describe('answers (RFC 7662 §2.2)', () => {
    it('returns an active answer with all its members', async () => {
      const answer = { active: true, sub: 'alice', scope: 'read write', exp: 1_900_000_000, ext: { a: 1 } };
      idp.handler = (_request, response) => sendJson(response, 200, answer);
      assert.deepEqual(await transport().introspect(TOKEN), answer);
    });

    it('reduces an inactive answer to exactly {active:false}', async () => {
      idp.handler = (_request, response) =>
        sendJson(response, 200, { active: false, sub: 'alice', reason: 'revoked', exp: 1 });
      assert.deepEqual(await transport().introspect(TOKEN), { active: false });
    });

    const badBodies: Array<[string, string, RegExp]> = [
      ['malformed JSON', '{"active": tru', /not JSON/],
      ['a JSON array', '[{"active":true}]', /not a JSON object/],
      ['JSON null', 'null', /not a JSON object/],
      ['no active member', '{"sub":"alice"}', /boolean "active"/],
      ['active as the string "true"', '{"active":"true","sub":"alice"}', /boolean "active"/],
      ['active as 1', '{"active":1}', /boolean "active"/],
    ];
    for (const [name, body, detail] of badBodies) {
      it(`treats ${name} as a bad answer, never as active`, async () => {
        idp.handler = (_request, response) => sendJson(response, 200, body);
        const error = await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [
          TOKEN,
          SECRET,
        ]);
        assert.match(error.detail ?? '', detail);
      });
    }
  });

  describe('failures', () => {
    it('maps 401 for a static bearer token to idp_rejected_our_credentials, without retrying', async () => {
      const ourToken = 'our-static-access-token';
      idp.handler = (_request, response) => sendJson(response, 401, { error: 'invalid_token' });
      const subject = transport({ clientAuth: { accessToken: ourToken } });
      const error = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_rejected_our_credentials', [
        TOKEN,
        ourToken,
      ]);
      assert.equal(error.challenge('api'), undefined, 'our misconfiguration is not the caller’s 401');
      assert.equal(idp.requests.length, 1);
      assert.equal(idp.requests[0].headers.authorization, `Bearer ${ourToken}`);
    });

    it('maps 403 to idp_rejected_our_credentials', async () => {
      idp.handler = (_request, response) => sendJson(response, 403, { error: 'forbidden' });
      await rejectsUnavailable(transport().introspect(TOKEN), 'idp_rejected_our_credentials', [
        TOKEN,
        SECRET,
      ]);
    });

    it('passes on the Retry-After seconds of a 429', async () => {
      idp.handler = (_request, response) =>
        sendJson(response, 429, { error: 'slow_down' }, { 'retry-after': '7' });
      const error = await rejectsUnavailable(transport().introspect(TOKEN), 'idp_throttled', [TOKEN, SECRET]);
      assert.equal(error.retryAfter, 7);
    });

    it('reads a Retry-After HTTP date of a 503 against the injected clock', async () => {
      const clock = new TestClock();
      const retryAt = new Date(clock.ms + 30_000).toUTCString();
      idp.handler = (_request, response) => sendJson(response, 503, '', { 'retry-after': retryAt });
      const error = await rejectsUnavailable(
        transport({}, { now: clock.now }).introspect(TOKEN),
        'idp_unavailable',
        [TOKEN, SECRET],
      );
      assert.equal(error.retryAfter, 30);
    });

    it('maps 500 to idp_unavailable with the default Retry-After', async () => {
      idp.handler = (_request, response) => sendJson(response, 500, 'boom');
      const error = await rejectsUnavailable(transport().introspect(TOKEN), 'idp_unavailable', [
        TOKEN,
        SECRET,
      ]);
      assert.equal(error.retryAfter, 5);
    });

    it('maps statuses RFC 7662 does not define (404, 302) to idp_bad_response', async () => {
      for (const status of [404, 302]) {
        idp.handler = (_request, response) => sendJson(response, status, {});
        await rejectsUnavailable(transport().introspect(TOKEN), 'idp_bad_response', [TOKEN, SECRET]);
      }
    });

    it('maps an IdP that never answers to idp_timeout', async () => {
      // The stub keeps the request open; close() destroys the socket.
      idp.handler = () => {};
      const slowHttp = testHttpClient({ timeoutMs: 150 });
      try {
        await rejectsUnavailable(transport({}, { http: slowHttp }).introspect(TOKEN), 'idp_timeout', [
          TOKEN,
          SECRET,
        ]);
      } finally {
        await slowHttp.close();
      }
    });

    it('maps a refused connection to idp_unreachable', async () => {
      const subject = transport({ endpoint: `${await closedPortUrl()}/introspect` });
      await rejectsUnavailable(subject.introspect(TOKEN), 'idp_unreachable', [TOKEN, SECRET]);
    });

    it('maps the caller’s abort to a 503, not to an answer', async () => {
      idp.handler = () => {};
      const controller = new AbortController();
      const pending = transport().introspect(TOKEN, { signal: controller.signal });
      controller.abort();
      const error = await pending.catch((caught: unknown) => caught);
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.code, 'serviceUnavailable');
    });
  });

  describe('endpoint', () => {
    it('discovers introspection_endpoint from the issuer metadata', async () => {
      idp.handler = (request, response) => {
        if (request.path === '/.well-known/openid-configuration') {
          sendJson(response, 200, {
            issuer: idp.origin,
            introspection_endpoint: idp.url('/oauth/introspect'),
          });
        } else sendJson(response, 200, { active: true, sub: 'bob' });
      };
      const subject = new HttpIntrospectionTransport(
        introspectionConfig({ clientAuth: { clientId: 'rs', clientSecret: SECRET } }),
        { http, metadata, issuerUrl: idp.origin },
      );
      assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'bob' });
      assert.equal(idp.requestsTo('/oauth/introspect').length, 1);
      assert.deepEqual(metadata.asked, [idp.origin]);
      assert.ok(subject.id.startsWith(`${idp.origin}|`));
    });

    it('prefers the static endpoint over discovery', async () => {
      idp.handler = (request, response) => {
        if (request.path === '/.well-known/openid-configuration') {
          sendJson(response, 200, { issuer: idp.origin, introspection_endpoint: idp.url('/discovered') });
        } else sendJson(response, 200, { active: true, sub: 'carol' });
      };
      const subject = new HttpIntrospectionTransport(
        introspectionConfig({
          endpoint: idp.url('/introspect'),
          issuer: idp.origin,
          clientAuth: { clientId: 'rs', clientSecret: SECRET },
        }),
        { http, metadata, issuerUrl: idp.origin },
      );
      await subject.introspect(TOKEN);
      assert.deepEqual(
        idp.requests.map((request) => request.path),
        ['/introspect'],
      );
      assert.deepEqual(metadata.asked, []);
    });

    it('fails with discovery_failed when the metadata has no introspection_endpoint', async () => {
      idp.handler = (_request, response) => sendJson(response, 200, { issuer: idp.origin });
      const subject = new HttpIntrospectionTransport(introspectionConfig({}), {
        http,
        metadata,
        issuerUrl: idp.origin,
      });
      await rejectsUnavailable(subject.introspect(TOKEN), 'discovery_failed', [TOKEN]);
      assert.equal(idp.requests.length, 1, 'only the metadata was asked for');
    });

    it('needs a static endpoint or an issuer', () => {
      assert.throws(() => new HttpIntrospectionTransport(introspectionConfig({}), { http, metadata }), {
        code: 'configInvalid',
      });
    });
  });

  it('closes nothing it does not own', async () => {
    idp.handler = (_request, response) => sendJson(response, 200, { active: false });
    const subject = transport();
    await subject.close();
    assert.deepEqual(
      await transport().introspect(TOKEN),
      { active: false },
      'the shared HttpClient still works',
    );
  });
});

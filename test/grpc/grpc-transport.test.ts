/**
 * @module test/grpc/grpc-transport.test
 * The gRPC introspection transport against a real `idp_token.IDPTokenService` server on loopback: the
 * request and metadata it sends, how answers map (go-authkit §7), how every failure becomes the 503 of the
 * HTTP transport, our token's refresh, go-authkit's session id, and the fallback to the static HTTP
 * endpoint (a real HTTP stub IdP) when, and only when, the gRPC server cannot answer.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import {
  createGrpcIntrospectionTransport,
  type GrpcIntrospectionDeps,
  type GrpcIntrospectionTransport,
} from '../../src/grpc/grpc-transport.ts';
import { HttpIntrospectionTransport } from '../../src/introspection/http-transport.ts';
import {
  type IntrospectionInput,
  introspectionConfig,
  rejectsUnavailable,
  testHttpClient,
} from '../../src/introspection/test-support/fixtures.ts';
import { StubMetadataSource } from '../../src/introspection/test-support/metadata-source.ts';
import { StubIdp as TokenEndpoint } from '../../src/introspection/test-support/stub-idp.ts';
import { sendJson } from '../support/loopback.ts';
import { type StubIdp, startStubIdp } from '../support/stub-idp.ts';
import { INTROSPECTOR_TOKEN, TestIntrospectionServer } from './support/introspection-server.ts';

const TOKEN = 'opaque-token-7f3a9c';

describe('GrpcIntrospectionTransport', () => {
  const server = new TestIntrospectionServer();
  const http = testHttpClient();
  const metadata = new StubMetadataSource(http);
  let idp: StubIdp;
  const open: GrpcIntrospectionTransport[] = [];

  before(async () => {
    await server.start();
    idp = await startStubIdp();
  });
  after(async () => {
    server.stop();
    await idp.close();
    await http.close();
  });
  beforeEach(() => {
    server.calls.length = 0;
    server.tokens.clear();
    server.handler = undefined;
    server.issueSessions = false;
    server.acceptedToken = INTROSPECTOR_TOKEN;
    server.forgetSessions();
    idp.calls.length = 0;
    idp.opaque.clear();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  /** A transport of `endpoint` (default: the suite's server) presenting the example's caller token. */
  async function transport(
    input: IntrospectionInput = {},
    deps: GrpcIntrospectionDeps = {},
    endpoint = server.endpoint,
  ): Promise<GrpcIntrospectionTransport> {
    const created = await createGrpcIntrospectionTransport(
      introspectionConfig({
        grpc: { endpoint },
        clientAuth: { accessToken: INTROSPECTOR_TOKEN },
        ...input,
      }),
      deps,
    );
    open.push(created);
    return created;
  }

  /** The static HTTP endpoint of the stub IdP, with the same client authentication. */
  function httpFallback(): HttpIntrospectionTransport {
    return new HttpIntrospectionTransport(
      introspectionConfig({
        endpoint: `${idp.url}/introspect`,
        clientAuth: { accessToken: INTROSPECTOR_TOKEN },
      }),
      { http, metadata },
    );
  }

  const metadataOf = (entries: Record<string, string>) => {
    const result = new Metadata();
    for (const [key, value] of Object.entries(entries)) result.set(key, value);
    return result;
  };

  describe('request', () => {
    it('sends the token, the scope filter, our token and the request id, as go-authkit does', async () => {
      server.tokens.set(TOKEN, { sub: 'alice' });
      const subject = await transport({ scopeFilter: [{ rn: 'my_service' }, { rn: 'billing' }] });
      await subject.introspect(TOKEN, { requestId: 'req-42' });

      const [call] = server.calls;
      assert.deepEqual(call.request, {
        token: TOKEN,
        scope_filter: [{ resource_namespace: 'my_service' }, { resource_namespace: 'billing' }],
      });
      assert.equal(call.metadata.authorization, `Bearer ${INTROSPECTOR_TOKEN}`);
      assert.equal(call.metadata['x-request-id'], 'req-42');
      assert.equal(call.metadata['x-session-id'], undefined);
      assert.match(String(call.metadata['user-agent']), /^tokenguard\/\S+ grpc-node-js\//);
    });

    it('drops a request id that cannot be metadata', async () => {
      const subject = await transport();
      await subject.introspect(TOKEN, { requestId: 'bad\nid' });
      assert.equal(server.calls[0].metadata['x-request-id'], undefined);
    });

    it('has an id of endpoint, client identity and scope filter, without the secret', async () => {
      const subject = await transport({ scopeFilter: [{ rn: 'my_service' }, { rn: 'billing' }] });
      assert.match(subject.id, /^grpc:\/\/127\.0\.0\.1:\d+\|bearer:sha256=[0-9a-f]{12}\|billing,my_service$/);
      assert.ok(!subject.id.includes(INTROSPECTOR_TOKEN));
    });
  });

  describe('answers (go-authkit §7 mapping)', () => {
    it('maps an active answer field by field, custom_claims_json merged', async () => {
      server.handler = (_call, callback) =>
        callback(null, {
          active: true,
          token_type: 'Bearer',
          exp: 2000000000,
          aud: ['https://api.example.com'],
          jti: 'jti-1',
          iss: 'http://127.0.0.1:8081',
          sub: 'admin2',
          scope: [
            {
              tenant_uuid: 'tuid-1',
              tenant_int_id: 1042,
              resource_server: 'rs-1',
              resource_namespace: 'my_service',
              resource_path: '/p',
              role_name: 'admin',
            },
            {
              tenant_uuid: '',
              tenant_int_id: 0,
              resource_server: '',
              resource_namespace: 'billing',
              resource_path: '',
              role_name: 'viewer',
            },
          ],
          nbf: 1999990000,
          iat: 1999990001,
          custom_claims_json: '{"client_id":"cli-1","sub_type":"user"}',
        });
      assert.deepEqual(await (await transport()).introspect(TOKEN), {
        active: true,
        token_type: 'Bearer',
        exp: 2000000000,
        aud: ['https://api.example.com'],
        jti: 'jti-1',
        iss: 'http://127.0.0.1:8081',
        sub: 'admin2',
        scope: [
          { tuid: 'tuid-1', tid: '1042', rs: 'rs-1', rn: 'my_service', rp: '/p', role: 'admin' },
          { rn: 'billing', role: 'viewer' },
        ],
        nbf: 1999990000,
        iat: 1999990001,
        client_id: 'cli-1',
        sub_type: 'user',
      });
    });

    it('answers exactly {active:false} for an unknown token, and for an inactive answer that says more', async () => {
      const subject = await transport();
      assert.deepEqual(await subject.introspect('unknown-token'), { active: false });
      server.handler = (_call, callback) =>
        callback(null, { active: false, sub: 'leaked', exp: 2000000000, custom_claims_json: '{"x":1}' });
      assert.deepEqual(await subject.introspect(TOKEN), { active: false });
    });

    it('fails with idp_bad_response on custom_claims_json that is not a JSON object', async () => {
      server.handler = (_call, callback) => callback(null, { active: true, custom_claims_json: '{"sub":' });
      const error = await rejectsUnavailable((await transport()).introspect(TOKEN), 'idp_bad_response');
      assert.match(error.detail ?? '', /custom_claims_json of gRPC 127\.0\.0\.1:\d+ is not JSON/);
    });
  });

  describe('our credentials', () => {
    it('answers a refusal of a static token with 503 idp_rejected_our_credentials: one call, no fallback', async () => {
      server.acceptedToken = 'another-token';
      const subject = await transport({}, { fallback: httpFallback() });
      const error = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_rejected_our_credentials', [
        INTROSPECTOR_TOKEN,
        TOKEN,
      ]);
      assert.match(error.detail ?? '', /answered 16 UNAUTHENTICATED/);
      assert.equal(server.calls.length, 1);
      assert.equal(idp.calls.length, 0, 'the HTTP endpoint was not asked');
    });

    describe('client_credentials', () => {
      const tokens = new TokenEndpoint();
      let issued = 0;
      before(() => tokens.start());
      after(() => tokens.close());
      beforeEach(() => {
        issued = 0;
        tokens.requests.length = 0;
        tokens.handler = (_request, response) =>
          sendJson(response, 200, {
            access_token: `token-${++issued}`,
            token_type: 'Bearer',
            expires_in: 3600,
          });
      });

      const clientCredentials = () =>
        transport(
          {
            clientAuth: {
              method: 'client_credentials',
              clientId: 'svc',
              clientSecret: 'svc-secret',
              tokenEndpoint: tokens.url('/token'),
            },
          },
          { http, metadata },
        );

      it('presents the token of the token endpoint, renewed once when the server refuses it', async () => {
        server.acceptedToken = 'token-2';
        server.tokens.set(TOKEN, { sub: 'alice' });
        const subject = await clientCredentials();
        assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
        assert.deepEqual(
          server.calls.map((call) => call.metadata.authorization),
          ['Bearer token-1', 'Bearer token-2'],
        );
        assert.equal(tokens.requestsTo('/token').length, 2);
        assert.match(subject.id, /\|client_credentials:svc\|$/);
      });

      it('gives up after that one renewal', async () => {
        server.acceptedToken = 'never-issued';
        const subject = await clientCredentials();
        await rejectsUnavailable(subject.introspect(TOKEN), 'idp_rejected_our_credentials', ['svc-secret']);
        assert.equal(server.calls.length, 2);
      });
    });

    it('reuses the x-session-id of the server instead of our token, and drops it when refused', async () => {
      server.issueSessions = true;
      server.tokens.set(TOKEN, { sub: 'alice' });
      const subject = await transport();
      await subject.introspect(TOKEN);
      await subject.introspect(TOKEN);
      assert.equal(server.calls[0].metadata.authorization, `Bearer ${INTROSPECTOR_TOKEN}`);
      assert.equal(server.calls[1].metadata['x-session-id'], 'session-1');
      assert.equal(server.calls[1].metadata.authorization, undefined, 'no token next to the session');

      // A restarted server knows the session no more: Unauthenticated, then our token again, a new session.
      server.forgetSessions();
      assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
      await subject.introspect(TOKEN);
      const sent = server.calls
        .slice(2)
        .map((call) => call.metadata['x-session-id'] ?? call.metadata.authorization);
      assert.deepEqual(sent, ['session-1', `Bearer ${INTROSPECTOR_TOKEN}`, 'session-2']);
    });
  });

  describe('failures', () => {
    it('answers ResourceExhausted with 503 idp_throttled and the server retry-after, without fallback', async () => {
      const subject = await transport({}, { fallback: httpFallback() });
      server.handler = (call, callback) => {
        call.sendMetadata(metadataOf({ 'retry-after': '7' }));
        callback({ code: status.RESOURCE_EXHAUSTED, details: 'rate limit exceeded' });
      };
      const inHeader = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_throttled');
      assert.equal(inHeader.retryAfter, 7);
      server.handler = (_call, callback) =>
        callback({
          code: status.RESOURCE_EXHAUSTED,
          details: 'slow',
          metadata: metadataOf({ 'retry-after': '11' }),
        });
      const inTrailers = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_throttled');
      assert.equal(inTrailers.retryAfter, 11);
      assert.equal(idp.calls.length, 0, 'the HTTP endpoint was not asked');
    });

    it('answers Unavailable with 503 idp_unavailable when there is no fallback', async () => {
      server.handler = (_call, callback) => callback({ code: status.UNAVAILABLE, details: 'draining' });
      const error = await rejectsUnavailable((await transport()).introspect(TOKEN), 'idp_unavailable');
      assert.match(error.detail ?? '', /^gRPC 127\.0\.0\.1:\d+ answered 14 UNAVAILABLE: draining$/);
    });

    it('answers a call past its deadline with 503 idp_timeout, without fallback', async () => {
      server.handler = () => {};
      const subject = await transport(
        { grpc: { endpoint: server.endpoint, requestTimeout: '150ms' } },
        {
          fallback: httpFallback(),
        },
      );
      const error = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_timeout');
      assert.match(error.detail ?? '', /DEADLINE_EXCEEDED/);
      assert.equal(server.calls.length, 1);
      assert.equal(idp.calls.length, 0, 'the HTTP endpoint was not asked');
    });

    it("stops when the caller's signal aborts: 503 idp_timeout, without fallback", async () => {
      const controller = new AbortController();
      server.handler = () => controller.abort();
      const subject = await transport({}, { fallback: httpFallback() });
      await rejectsUnavailable(subject.introspect(TOKEN, { signal: controller.signal }), 'idp_timeout');
      await rejectsUnavailable(subject.introspect(TOKEN, { signal: controller.signal }), 'idp_timeout');
      assert.equal(server.calls.length, 1, 'an aborted signal sends nothing');
      assert.equal(idp.calls.length, 0);
    });

    it('asks the HTTP endpoint when the answer is broken (go-authkit falls back on every other error)', async () => {
      idp.opaque.set(TOKEN, { sub: 'alice' });
      server.handler = (_call, callback) => callback(null, { active: true, custom_claims_json: 'oops' });
      const subject = await transport({}, { fallback: httpFallback() });
      assert.deepEqual(await subject.introspect(TOKEN), { active: true, token_type: 'Bearer', sub: 'alice' });
      assert.equal(idp.calls.length, 1);
    });

    it('rejects with 503 once closed', async () => {
      const subject = await transport();
      await subject.close();
      await rejectsUnavailable(subject.introspect(TOKEN), 'idp_unavailable');
    });
  });

  describe('fallback to the static HTTP endpoint', () => {
    it('answers from the HTTP endpoint once the gRPC server is stopped, and names both when both fail', async () => {
      const doomed = await new TestIntrospectionServer().start();
      doomed.tokens.set(TOKEN, { sub: 'alice' });
      idp.opaque.set(TOKEN, { sub: 'alice' });
      const subject = await transport({}, { fallback: httpFallback() }, doomed.endpoint);

      assert.deepEqual(await subject.introspect(TOKEN), { active: true, sub: 'alice' });
      assert.equal(doomed.calls.length, 1);
      assert.equal(idp.calls.length, 0, 'gRPC answered: HTTP not asked');

      doomed.stop();
      const answer = await subject.introspect(TOKEN, { requestId: 'req-7' });
      assert.deepEqual(answer, { active: true, token_type: 'Bearer', sub: 'alice' });
      assert.equal(idp.calls.length, 1, 'HTTP answered');
      assert.equal(idp.calls[0].form.get('token'), TOKEN);
      assert.equal(idp.calls[0].headers.authorization, `Bearer ${INTROSPECTOR_TOKEN}`);
      assert.equal(idp.calls[0].headers['x-request-id'], 'req-7');

      idp.answer = () => ({ status: 503, body: '', headers: { 'retry-after': '30' } });
      try {
        const error = await rejectsUnavailable(subject.introspect(TOKEN), 'idp_unavailable', [
          INTROSPECTOR_TOKEN,
        ]);
        assert.match(error.detail ?? '', /^gRPC 127\.0\.0\.1:\d+ answered 14 UNAVAILABLE: .*ECONNREFUSED/);
        assert.match(
          error.detail ?? '',
          /; HTTP fallback: POST http:\/\/127\.0\.0\.1:\d+\/introspect answered 503$/,
        );
        assert.equal(error.retryAfter, 30);
        assert.ok(error.cause instanceof AggregateError);
      } finally {
        idp.answer = undefined;
      }
    });
  });

  describe('configuration', () => {
    const rejectsConfig = async (input: IntrospectionInput, deps: GrpcIntrospectionDeps, path: string) => {
      const error = await transport(input, deps).then(
        () => assert.fail('expected a configuration error'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.code, 'configInvalid');
      assert.equal(error.path, path);
      return error;
    };

    it('refuses client authentication that has no gRPC form', async () => {
      const error = await rejectsConfig(
        { clientAuth: { clientId: 'svc', clientSecret: 'svc-secret' } },
        {},
        'auth.introspection.clientAuth.method',
      );
      assert.match(error.message, /client_secret_basic cannot be sent over gRPC/);
    });

    it('refuses client_credentials without an HTTP client for the token endpoint', async () => {
      await rejectsConfig(
        {
          clientAuth: {
            method: 'client_credentials',
            clientId: 'svc',
            clientSecret: 's',
            tokenEndpoint: idp.url,
          },
        },
        {},
        'auth.introspection.clientAuth.method',
      );
    });

    it('refuses signed answers (RFC 9701), which gRPC cannot give', async () => {
      await rejectsConfig({ accept: 'jwt' }, {}, 'auth.introspection.accept');
    });

    it('refuses an empty endpoint', async () => {
      const error = await createGrpcIntrospectionTransport(introspectionConfig({})).catch(
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.path, 'auth.introspection.grpc.endpoint');
    });
  });
});

/**
 * @module test/idp/grpc.test
 * The IdP's gRPC service (`idp.grpc`, `idp_token.IDPTokenService`) on loopback, called the way go-authkit
 * calls it (a grpc-js client built from the same .proto, `authorization: Bearer …` and `x-request-id`
 * metadata) and through this library's own gRPC transport:
 *
 * - IntrospectToken answers what HTTP introspection answers for the same token, member by member (seed
 *   000's `user` and `admin2`, an RFC 9068 token, inactive tokens), scope filter included;
 * - the callers HTTP admits (static token, access token of a client with `canIntrospect`), and
 *   Unauthenticated for any other; InvalidArgument for an empty token; ResourceExhausted with
 *   `retry-after` header metadata from the rate limiter HTTP shares; Unavailable when the store fails;
 * - CreateToken performs the jwt-bearer exchange and refuses other grant types and callers that may not;
 * - seed 000 end to end: a node:http service protected with a gRPC-introspecting authenticator.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  type Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { protect } from '../../src/adapters/node-http.ts';
import { requireRole } from '../../src/authz/roles.ts';
import { serviceUnavailable, TokenguardError } from '../../src/errors/tokenguard-error.ts';
import { fromIntrospectTokenResponse } from '../../src/grpc/answer.ts';
import { createGrpcAuthenticator } from '../../src/grpc/create.ts';
import type {
  CreateTokenRequest,
  CreateTokenResponse,
  IntrospectTokenRequest,
  IntrospectTokenResponse,
} from '../../src/grpc/messages.ts';
import { type IdpTokenProto, loadIdpTokenProto } from '../../src/grpc/proto.ts';
import type { IdpConfigInput } from '../../src/idp/config/schema.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { MemoryStore } from '../../src/idp/store/memory-store.ts';
import type { IdpStore } from '../../src/idp/store/types.ts';
import type { IntrospectionAnswer } from '../../src/introspection/types.ts';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { closeServer, listen } from '../support/loopback.ts';
import {
  ADMIN_POLICY,
  authkitToken,
  basic,
  postForm,
  STATIC_TOKEN,
  seedConfig,
  startSeedIdp,
} from './support/seed-idp.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Seed 000's clients, plus resource servers that call the IdP with access tokens of their own. */
function grpcSeedConfig(overrides: IdpConfigInput = {}): IdpConfigInput {
  return seedConfig({
    clients: [
      ...(seedConfig().clients ?? []),
      // May introspect and exchange tokens (go-authkit's ExchangeToken).
      {
        id: 'rs',
        secret: 'rs-secret',
        canIntrospect: true,
        grantTypes: ['client_credentials', JWT_BEARER],
      },
      // May introspect, not exchange.
      { id: 'rs-plain', secret: 'rs-plain-secret', canIntrospect: true },
    ],
    grpc: { enabled: true, port: 0 },
    ...overrides,
  });
}

/** Log lines, kept to be searched. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  return { logger, lines };
}

interface Outcome<Response> {
  response?: Response;
  error?: ServiceError;
  /** Response header metadata, when the server sent any before its status. */
  header?: Metadata;
}

/** A client as go-authkit's `idptoken.GRPCClient` is: one channel, call metadata set per call. */
class GoAuthkitClient {
  readonly #proto: IdpTokenProto;
  readonly #client: Client;

  constructor(proto: IdpTokenProto, address: string) {
    this.#proto = proto;
    this.#client = new proto.Client(address, credentials.createInsecure(), {
      'grpc.primary_user_agent': 'go-authkit-compatible-test',
    });
  }

  introspect(
    request: IntrospectTokenRequest,
    metadata: Record<string, string>,
  ): Promise<Outcome<IntrospectTokenResponse>> {
    return this.#call(this.#proto.service.IntrospectToken, request, metadata);
  }

  createToken(
    request: CreateTokenRequest,
    metadata: Record<string, string>,
  ): Promise<Outcome<CreateTokenResponse>> {
    return this.#call(this.#proto.service.CreateToken, request, metadata);
  }

  close(): void {
    this.#client.close();
  }

  #call<Request, Response>(
    method: MethodDefinition<Request, Response>,
    request: Request,
    values: Record<string, string>,
  ): Promise<Outcome<Response>> {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(values)) metadata.set(key, value);
    return new Promise((resolve) => {
      let header: Metadata | undefined;
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + 5000 },
        (error, response) => resolve(error ? { error, header } : { response, header }),
      );
      call.on('metadata', (received: Metadata) => {
        header = received;
      });
    });
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asIntrospector = { ...bearer(STATIC_TOKEN), 'x-request-id': 'req-grpc-1' };

/** The RFC 7662 answer a successful IntrospectToken stands for (go-authkit's reading). */
function answerOf(outcome: Outcome<IntrospectTokenResponse>): IntrospectionAnswer {
  assert.equal(outcome.error, undefined, outcome.error?.message);
  assert.ok(outcome.response);
  return fromIntrospectTokenResponse(outcome.response, 'test');
}

/**
 * Same members, each with the same value (reported by name when one differs). The one difference of form
 * the protocol imposes: `aud` travels as `repeated string`, so a single audience comes back as a
 * one-element list (RFC 7519 §4.1.3 gives both forms one meaning).
 */
function assertSameAnswer(overGrpc: IntrospectionAnswer, overHttp: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(overGrpc).sort(), Object.keys(overHttp).sort());
  for (const [name, value] of Object.entries(overHttp)) {
    const expected = name === 'aud' && typeof value === 'string' ? [value] : value;
    assert.deepEqual(overGrpc[name], expected, name);
  }
}

function assertStatus(outcome: Outcome<unknown>, code: number, details?: RegExp): ServiceError {
  assert.ok(outcome.error, 'the call failed');
  assert.equal(outcome.error.code, code, outcome.error.message);
  if (details) assert.match(outcome.error.details, details);
  return outcome.error;
}

describe('IdP gRPC service', () => {
  let idp: Idp;
  let proto: IdpTokenProto;
  let client: GoAuthkitClient;
  const log = recordingLogger();

  before(async () => {
    proto = await loadIdpTokenProto();
    idp = await createIdp(grpcSeedConfig(), { logger: log.logger });
    assert.match(idp.grpcAddress ?? '', /^127\.0\.0\.1:[1-9][0-9]*$/);
    client = new GoAuthkitClient(proto, idp.grpcAddress as string);
  });
  after(async () => {
    client.close();
    await idp.close();
  });

  const httpAnswer = async (token: string, extra: Record<string, string> = {}) => {
    const answer = await postForm(
      `${idp.url}/idp/introspect_token`,
      { token, ...extra },
      bearer(STATIC_TOKEN),
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json();
  };

  const clientToken = async (id: string, secret: string): Promise<string> => {
    const answer = await postForm(
      `${idp.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(id, secret) },
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json().access_token as string;
  };

  describe('IntrospectToken', () => {
    it('answers seed 000 user and admin2 tokens as HTTP does, member by member', async () => {
      for (const [id, secret] of [
        ['user', 'user-pwd'],
        ['admin2', 'admin2-pwd'],
      ]) {
        const token = await authkitToken(idp, id, secret);
        const outcome = await client.introspect({ token, scope_filter: [] }, asIntrospector);
        const overHttp = await httpAnswer(token);
        assert.equal(overHttp.sub, id);
        assertSameAnswer(answerOf(outcome), overHttp);
      }
    });

    it('puts admin2 introspection-only policy in typed scope fields, nothing in custom_claims_json', async () => {
      const token = await authkitToken(idp, 'admin2', 'admin2-pwd');
      const { response } = await client.introspect({ token }, asIntrospector);
      const claims = decodeJwt(token);
      assert.deepEqual(response, {
        active: true,
        token_type: '',
        exp: claims.exp,
        aud: [],
        jti: claims.jti,
        iss: idp.issuer,
        sub: 'admin2',
        scope: [
          {
            tenant_uuid: '',
            tenant_int_id: 0,
            resource_server: '',
            resource_namespace: 'my_service',
            resource_path: '',
            role_name: 'admin',
          },
        ],
        nbf: 0,
        iat: 0,
        custom_claims_json: '',
      });
    });

    it('answers an RFC 9068 token as HTTP does, members without a typed field in custom_claims_json', async () => {
      const token = await clientToken('svc', 'svc-secret');
      const outcome = await client.introspect({ token }, asIntrospector);
      const overHttp = await httpAnswer(token);
      assert.equal(overHttp.client_id, 'svc');
      assertSameAnswer(answerOf(outcome), overHttp);
      assert.equal(outcome.response?.token_type, 'Bearer');
      assert.ok((outcome.response?.iat ?? 0) > 0);
      assert.equal(JSON.parse(outcome.response?.custom_claims_json ?? '{}').client_id, 'svc');
    });

    it('honours scope_filter as HTTP honours scope_filter[i].rn', async () => {
      const token = await authkitToken(idp, 'admin2', 'admin2-pwd');
      for (const rn of ['my_service', 'another_service']) {
        const outcome = await client.introspect(
          { token, scope_filter: [{ resource_namespace: rn }] },
          asIntrospector,
        );
        const overHttp = await httpAnswer(token, { 'scope_filter[0].rn': rn });
        assertSameAnswer(answerOf(outcome), overHttp);
      }
      const kept = answerOf(
        await client.introspect(
          { token, scope_filter: [{ resource_namespace: 'my_service' }] },
          asIntrospector,
        ),
      );
      assert.deepEqual(kept.scope, [ADMIN_POLICY]);
      const dropped = answerOf(
        await client.introspect(
          { token, scope_filter: [{ resource_namespace: 'another_service' }] },
          asIntrospector,
        ),
      );
      assert.equal(dropped.scope, undefined);
    });

    it('answers unknown and revoked tokens {active:false}, as HTTP does', async () => {
      const revoked = await clientToken('svc', 'svc-secret');
      const revocation = await postForm(
        `${idp.url}/oauth2/revoke`,
        { token: revoked },
        { authorization: basic('svc', 'svc-secret') },
      );
      assert.equal(revocation.status, 200);
      for (const token of ['not-a-token-of-this-idp', revoked]) {
        const outcome = await client.introspect({ token }, asIntrospector);
        assert.equal(outcome.response?.active, false);
        assert.deepEqual(answerOf(outcome), await httpAnswer(token));
        assert.deepEqual(answerOf(outcome), { active: false });
      }
    });

    it('admits an access token of a client with canIntrospect; Unauthenticated without it', async () => {
      const token = await authkitToken(idp, 'user', 'user-pwd');
      const rsToken = await clientToken('rs', 'rs-secret');
      assert.equal(answerOf(await client.introspect({ token }, bearer(rsToken))).sub, 'user');
      const svcToken = await clientToken('svc', 'svc-secret');
      assertStatus(await client.introspect({ token }, bearer(svcToken)), status.UNAUTHENTICATED);
    });

    it('is Unauthenticated for a wrong, missing, malformed or non-bearer authorization', async () => {
      const token = await authkitToken(idp, 'user', 'user-pwd');
      const cases: Record<string, string>[] = [
        bearer('not-the-introspection-token'),
        {},
        { authorization: basic('admin2', 'admin2-pwd') },
        { authorization: 'Bearer two words' },
        { authorization: 'Bearer' },
      ];
      for (const metadata of cases) {
        const error = assertStatus(
          await client.introspect({ token }, metadata),
          status.UNAUTHENTICATED,
          /^Client authentication failed\.$/,
        );
        assert.ok(!error.details.includes(token));
      }
    });

    it('is InvalidArgument for an empty token (after authenticating the caller)', async () => {
      assertStatus(
        await client.introspect({ token: '' }, asIntrospector),
        status.INVALID_ARGUMENT,
        /token field is required/,
      );
      assertStatus(await client.introspect({ token: '' }, {}), status.UNAUTHENTICATED);
    });

    it("the library's gRPC transport authenticates seed 000 tokens with the principal HTTP gives", async () => {
      const introspection = {
        clientAuth: { method: 'bearer' as const, accessToken: STATIC_TOKEN },
        scopeFilter: [{ rn: 'my_service' }],
      };
      const overGrpc = await createGrpcAuthenticator({
        config: { introspection: { ...introspection, grpc: { endpoint: idp.grpcAddress as string } } },
      });
      const overHttp = createAuthenticator({
        config: { introspection: { ...introspection, endpoint: `${idp.url}/idp/introspect_token` } },
      });
      try {
        for (const [id, secret] of [
          ['user', 'user-pwd'],
          ['admin2', 'admin2-pwd'],
        ]) {
          const request = { headers: { authorization: `Bearer ${await authkitToken(idp, id, secret)}` } };
          const viaGrpc = await overGrpc.authenticate(request);
          const viaHttp = await overHttp.authenticate(request);
          assert.equal(viaGrpc.method, 'introspection');
          assert.equal(viaGrpc.subject, id);
          assertSameAnswer({ ...viaGrpc.claims, active: true }, { ...viaHttp.claims, active: true });
          assert.deepEqual(viaGrpc.accessPolicies, viaHttp.accessPolicies);
        }
        const admin2 = await authkitToken(idp, 'admin2', 'admin2-pwd');
        const principal = await overGrpc.authenticate({ headers: { authorization: `Bearer ${admin2}` } });
        assert.deepEqual(principal.accessPolicies, [ADMIN_POLICY]);
      } finally {
        await overGrpc.close();
        await overHttp.close();
      }
    });

    it("the library's gRPC transport reports a refused caller as the IdP rejecting our credentials", async () => {
      const overGrpc = await createGrpcAuthenticator({
        config: {
          introspection: {
            grpc: { endpoint: idp.grpcAddress as string },
            clientAuth: { method: 'bearer', accessToken: 'a-wrong-introspection-token' },
          },
        },
      });
      try {
        const token = await authkitToken(idp, 'user', 'user-pwd');
        await assert.rejects(
          overGrpc.authenticate({ headers: { authorization: `Bearer ${token}` } }),
          (error: unknown) =>
            error instanceof TokenguardError && error.reason === 'idp_rejected_our_credentials',
        );
      } finally {
        await overGrpc.close();
      }
    });

    it('logs one line per call with method, status and request id, never a token', async () => {
      const token = await authkitToken(idp, 'user', 'user-pwd');
      await client.introspect({ token }, { ...asIntrospector, 'x-request-id': 'req-logged-7' });
      const line = log.lines.find((entry) => entry.includes('"request_id":"req-logged-7"'));
      assert.ok(line, 'a call line');
      const parsed = JSON.parse(line);
      assert.equal(parsed.method, '/idp_token.IDPTokenService/IntrospectToken');
      assert.equal(parsed.grpc_code, status.OK);
      assert.match(parsed.msg, /^call completed in \d+\.\d{3}s$/);
      for (const entry of log.lines) {
        assert.ok(!entry.includes(token), 'no token in logs');
        assert.ok(!entry.includes(STATIC_TOKEN), 'no caller token in logs');
      }
    });
  });

  describe('CreateToken', () => {
    it('exchanges an access token of this IdP (jwt-bearer), as the token endpoint does', async () => {
      const rsToken = await clientToken('rs', 'rs-secret');
      const assertion = await authkitToken(idp, 'user', 'user-pwd');
      const { response, error } = await client.createToken(
        { grant_type: JWT_BEARER, assertion, not_required_introspection: false },
        bearer(rsToken),
      );
      assert.equal(error, undefined, error?.message);
      assert.ok(response);
      assert.equal(response.token_type, 'Bearer');
      assert.equal(response.expires_in, 3600);
      const claims = decodeJwt(response.access_token);
      assert.equal(claims.sub, 'user');
      assert.equal(claims.client_id, 'rs', 'issued to the calling client');
      assert.equal(claims.iss, idp.issuer);
      assert.equal(decodeProtectedHeader(response.access_token).nri, undefined);

      const overHttp = await postForm(
        `${idp.url}/oauth2/token`,
        { grant_type: JWT_BEARER, assertion },
        { authorization: basic('rs', 'rs-secret') },
      );
      assert.equal(overHttp.status, 200, overHttp.text);
      const httpClaims = decodeJwt(overHttp.json().access_token as string);
      assert.deepEqual(Object.keys(claims).sort(), Object.keys(httpClaims).sort());
      assert.deepEqual([claims.sub, claims.client_id], [httpClaims.sub, httpClaims.client_id]);

      const introspected = answerOf(
        await client.introspect({ token: response.access_token }, asIntrospector),
      );
      assert.equal(introspected.active, true);
      assert.equal(introspected.sub, 'user');
    });

    it('honours not_required_introspection (the nri header)', async () => {
      const rsToken = await clientToken('rs', 'rs-secret');
      const assertion = await authkitToken(idp, 'user', 'user-pwd');
      const { response } = await client.createToken(
        { grant_type: JWT_BEARER, assertion, not_required_introspection: true },
        bearer(rsToken),
      );
      assert.ok(response);
      assert.equal(decodeProtectedHeader(response.access_token).nri, true);
    });

    it('refuses other grant types, a missing or invalid assertion (InvalidArgument)', async () => {
      const caller = bearer(await clientToken('rs', 'rs-secret'));
      const assertion = await authkitToken(idp, 'user', 'user-pwd');
      const cases: [CreateTokenRequest, RegExp][] = [
        [{ grant_type: 'client_credentials', assertion }, /Only urn:ietf:params:oauth:grant-type:jwt-bearer/],
        [{ grant_type: '', assertion }, /Only urn:ietf/],
        [{ grant_type: JWT_BEARER, assertion: '' }, /assertion field is required/],
        [{ grant_type: JWT_BEARER, assertion: 'not.a.token' }, /not a valid token/],
      ];
      for (const [request, details] of cases) {
        assertStatus(await client.createToken(request, caller), status.INVALID_ARGUMENT, details);
      }
    });

    it('refuses callers that may not exchange (PermissionDenied) or are unknown (Unauthenticated)', async () => {
      const assertion = await authkitToken(idp, 'user', 'user-pwd');
      const request = { grant_type: JWT_BEARER, assertion };
      // A static token belongs to no client the new token could be issued to.
      assertStatus(await client.createToken(request, asIntrospector), status.PERMISSION_DENIED);
      const plain = await clientToken('rs-plain', 'rs-plain-secret');
      assertStatus(
        await client.createToken(request, bearer(plain)),
        status.PERMISSION_DENIED,
        /may not use this grant type/,
      );
      assertStatus(await client.createToken(request, {}), status.UNAUTHENTICATED);
      assertStatus(await client.createToken(request, bearer('forged')), status.UNAUTHENTICATED);
    });
  });

  describe('seed 000 end to end over gRPC', () => {
    let auth: Authenticator;
    let url: string;
    const server = createServer();

    before(async () => {
      auth = await createGrpcAuthenticator({
        config: {
          errorDomain: 'MyService',
          introspection: {
            grpc: { endpoint: idp.grpcAddress as string },
            clientAuth: { method: 'bearer', accessToken: STATIC_TOKEN },
            scopeFilter: [{ rn: 'my_service' }],
          },
        },
      });
      const hello = protect(auth, (_req, res, principal) => res.end(`Hello, ${principal.subject}`));
      const admin = protect(auth, (_req, res, principal) => res.end(`Hi, ${principal.subject}`), {
        authorize: requireRole({ namespace: 'my_service', role: 'admin' }),
      });
      server.on('request', (req, res) => (req.url === '/admin' ? admin(req, res) : hello(req, res)));
      url = await listen(server);
    });
    after(async () => {
      await closeServer(server);
      await auth.close();
    });

    const get = async (path: string, token?: string) => {
      const response = await fetch(`${url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return { status: response.status, body: await response.text() };
    };

    it('answers Hello, user; 403 for user on /admin; Hi, admin2 (policy added by introspection)', async () => {
      assert.deepEqual(await get('/'), {
        status: 401,
        body: '{"error":{"domain":"MyService","code":"bearerTokenMissing","message":"Authorization bearer token is missing."}}',
      });
      const user = await authkitToken(idp, 'user', 'user-pwd');
      assert.deepEqual(await get('/', user), { status: 200, body: 'Hello, user' });
      assert.deepEqual(await get('/admin', user), {
        status: 403,
        body: '{"error":{"domain":"MyService","code":"authorizationFailed","message":"Authorization is failed."}}',
      });
      const admin2 = await authkitToken(idp, 'admin2', 'admin2-pwd');
      assert.equal(decodeJwt(admin2).scope, undefined, 'no policy inside the token');
      assert.deepEqual(await get('/admin', admin2), { status: 200, body: 'Hi, admin2' });
      const calls = log.lines.filter((line) => line.includes('/idp_token.IDPTokenService/IntrospectToken'));
      assert.ok(calls.length >= 2, 'introspected over gRPC');
    });
  });
});

describe('IdP gRPC service: rate limit', () => {
  let idp: Idp;
  let client: GoAuthkitClient;

  before(async () => {
    // One request a minute, two at once: the third call within the minute is refused for ~60 s.
    idp = await startSeedIdp(grpcSeedConfig({ introspection: seedRateLimited() }));
    client = new GoAuthkitClient(await loadIdpTokenProto(), idp.grpcAddress as string);
  });
  after(async () => {
    client.close();
    await idp.close();
  });

  function seedRateLimited(): IdpConfigInput['introspection'] {
    return { ...seedConfig().introspection, rateLimit: { perCaller: 1, burst: 2 } };
  }

  it('is ResourceExhausted with retry-after in the header metadata, one budget with HTTP', async () => {
    const token = await authkitToken(idp, 'user', 'user-pwd');
    assert.equal(answerOf(await client.introspect({ token }, asIntrospector)).sub, 'user');
    const http = await postForm(`${idp.url}/idp/introspect_token`, { token }, bearer(STATIC_TOKEN));
    assert.equal(http.status, 200, 'the second request of the burst, over HTTP');

    const throttled = await client.introspect({ token }, asIntrospector);
    assertStatus(throttled, status.RESOURCE_EXHAUSTED, /Too many requests/);
    assert.deepEqual(throttled.header?.get('retry-after'), ['60'], 'header metadata (go-authkit)');
    assert.deepEqual(throttled.error?.metadata.get('retry-after'), ['60'], 'trailers too');
    const overHttp = await postForm(`${idp.url}/idp/introspect_token`, { token }, bearer(STATIC_TOKEN));
    assert.equal(overHttp.status, 429, 'HTTP shares the budget');

    const overGrpc = await createGrpcAuthenticator({
      config: {
        introspection: {
          grpc: { endpoint: idp.grpcAddress as string },
          clientAuth: { method: 'bearer', accessToken: STATIC_TOKEN },
        },
      },
    });
    try {
      await assert.rejects(
        overGrpc.authenticate({ headers: { authorization: `Bearer ${token}` } }),
        (error: unknown) =>
          error instanceof TokenguardError && error.reason === 'idp_throttled' && error.retryAfter === 60,
      );
    } finally {
      await overGrpc.close();
    }
  });
});

describe('IdP gRPC service: a failing store', () => {
  /** A memory store whose token lookups fail while `failure` is set. */
  function flakyStore(): { store: IdpStore; fail(error: Error | undefined): void } {
    const inner = new MemoryStore();
    let failure: Error | undefined;
    const tokens: IdpStore['tokens'] = {
      ...inner.tokens,
      get: (tenant, id) => (failure ? Promise.reject(failure) : inner.tokens.get(tenant, id)),
    };
    const store: IdpStore = {
      migrate: () => inner.migrate(),
      close: () => inner.close(),
      tenants: inner.tenants,
      clients: inner.clients,
      users: inner.users,
      tokens,
      keys: inner.keys,
      replay: inner.replay,
    };
    return { store, fail: (error) => (failure = error) };
  }

  it('is Unavailable with a generic text (logged), with retry-after when the store says when', async () => {
    const { store, fail } = flakyStore();
    const log = recordingLogger();
    const idp = await createIdp(grpcSeedConfig(), { store, logger: log.logger });
    const client = new GoAuthkitClient(await loadIdpTokenProto(), idp.grpcAddress as string);
    try {
      const token = await authkitToken(idp, 'user', 'user-pwd');
      fail(new Error('disk I/O error at /var/lib/secret/path'));
      const broken = await client.introspect({ token }, asIntrospector);
      assertStatus(broken, status.UNAVAILABLE, /^The server failed to handle the request\.$/);
      assert.deepEqual(broken.header?.get('retry-after') ?? [], []);
      assert.ok(
        log.lines.some((line) => line.includes('"level":"error"') && line.includes('disk I/O error')),
      );

      fail(serviceUnavailable('idp_unavailable', 'database locked', 7));
      const unavailable = await client.introspect({ token }, asIntrospector);
      assertStatus(unavailable, status.UNAVAILABLE);
      assert.deepEqual(unavailable.header?.get('retry-after'), ['7']);

      fail(undefined);
      assert.equal(answerOf(await client.introspect({ token }, asIntrospector)).sub, 'user');
    } finally {
      client.close();
      await idp.close();
      await store.close();
    }
  });
});

describe('IdP gRPC service: realm', () => {
  it('serves the default tenant under the first profile (its issuer for CreateToken)', async () => {
    const idp = await startSeedIdp(grpcSeedConfig({ profiles: ['keycloak', 'authkit'] }));
    const client = new GoAuthkitClient(await loadIdpTokenProto(), idp.grpcAddress as string);
    try {
      const rsAnswer = await postForm(
        `${idp.url}/realms/default/protocol/openid-connect/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic('rs', 'rs-secret') },
      );
      const rsToken = rsAnswer.json().access_token as string;
      const assertion = await authkitToken(idp, 'user', 'user-pwd');
      const { response } = await client.createToken({ grant_type: JWT_BEARER, assertion }, bearer(rsToken));
      assert.ok(response);
      assert.equal(decodeJwt(response.access_token).iss, `${idp.url}/realms/default`);
      // Introspection answers in the claim style the token was issued with (authkit here), whatever the realm.
      assert.deepEqual(
        answerOf(await client.introspect({ token: assertion }, asIntrospector)),
        (
          await postForm(`${idp.url}/idp/introspect_token`, { token: assertion }, bearer(STATIC_TOKEN))
        ).json(),
      );
    } finally {
      client.close();
      await idp.close();
    }
  });

  it('is off by default: no gRPC address', async () => {
    const idp = await createIdp(seedConfig(), { logger: silentLogger });
    try {
      assert.equal(idp.grpcAddress, undefined);
    } finally {
      await idp.close();
    }
  });
});

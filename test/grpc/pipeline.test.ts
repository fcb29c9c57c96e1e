/**
 * @module test/grpc/pipeline.test
 * The whole pipeline over gRPC introspection: `createGrpcAuthenticator` + the node:http adapter answer seed
 * 000's requests (`Hello, <sub>`, 403 on /admin, 401s) exactly as the same pipeline over HTTP introspection
 * does, for the same tokens of the same IdP (the gRPC server answers from the stub IdP's store); the gRPC
 * endpoint has priority, and the HTTP endpoint answers once the gRPC server is gone.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { protect } from '../../src/adapters/node-http.ts';
import { requireRole } from '../../src/authz/roles.ts';
import type { AuthConfigInput } from '../../src/config/schema.ts';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import { createGrpcAuthenticator } from '../../src/grpc/create.ts';
import type { IntrospectionAnswer } from '../../src/introspection/types.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { closeServer, listen } from '../support/loopback.ts';
import { type StubIdp, startStubIdp } from '../support/stub-idp.ts';
import { INTROSPECTOR_TOKEN, TestIntrospectionServer } from './support/introspection-server.ts';

const adminRole = requireRole({ namespace: 'my_service', role: 'admin' });

interface Service {
  url: string;
  close(): Promise<void>;
}

/** Seed 000's example service: `/` says hello, `/admin` needs my_service/admin. */
async function exampleService(auth: Authenticator): Promise<Service> {
  const hello = protect(auth, (_req, res, principal) => res.end(`Hello, ${principal.subject}`));
  const admin = protect(auth, (_req, res, principal) => res.end(`Hi, ${principal.subject}`), {
    authorize: adminRole,
  });
  const server = createServer((req, res) =>
    req.url?.startsWith('/admin') ? admin(req, res) : hello(req, res),
  );
  return { url: await listen(server), close: () => closeServer(server) };
}

async function get(service: Service, path: string, token?: string) {
  const response = await fetch(`${service.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    body: await response.text(),
    retryAfter: response.headers.get('retry-after'),
  };
}

describe('pipeline over gRPC introspection', () => {
  let idp: StubIdp;
  const grpcServer = new TestIntrospectionServer();
  let overGrpc: Authenticator;
  let overHttp: Authenticator;
  let grpcService: Service;
  let httpService: Service;

  const config = (introspection: NonNullable<AuthConfigInput['introspection']>): AuthConfigInput => ({
    errorDomain: 'MyService',
    introspection: { clientAuth: { accessToken: INTROSPECTOR_TOKEN }, ...introspection },
  });

  before(async () => {
    idp = await startStubIdp();
    idp.extraClaims.set('admin2', { scope: [{ rn: 'my_service', role: 'admin' }] });
    idp.opaque.set('opaque-token-1', { sub: 'svc-opaque', exp: Math.floor(Date.now() / 1000) + 600 });
    // The gRPC face of the same IdP: the same store, the same answers.
    grpcServer.lookup = async (token) => {
      const response = await fetch(`${idp.url}/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ token }),
      });
      return (await response.json()) as IntrospectionAnswer;
    };
    await grpcServer.start();
    overGrpc = await createGrpcAuthenticator({ config: config({ grpc: { endpoint: grpcServer.endpoint } }) });
    overHttp = createAuthenticator({ config: config({ endpoint: `${idp.url}/introspect` }) });
    grpcService = await exampleService(overGrpc);
    httpService = await exampleService(overHttp);
  });
  after(async () => {
    await grpcService.close();
    await httpService.close();
    await overGrpc.close();
    await overHttp.close();
    grpcServer.stop();
    await idp.close();
  });

  it('answers Hello, <sub> for a token introspected over gRPC', async () => {
    const token = await idp.sign({ sub: 'user' });
    assert.deepEqual(await get(grpcService, '/', token), {
      status: 200,
      body: 'Hello, user',
      retryAfter: null,
    });
    const [call] = grpcServer.calls.filter((recorded) => recorded.request.token === token);
    assert.equal(call.metadata.authorization, `Bearer ${INTROSPECTOR_TOKEN}`);
    assert.match(String(call.metadata['x-request-id']), /^[A-Za-z0-9._:@-]+$/);
  });

  it('gives the same answers as HTTP introspection for the same tokens', async () => {
    const user = await idp.sign({ sub: 'user' });
    const admin2 = await idp.sign({ sub: 'admin2' });
    const expired = await idp.sign({ sub: 'user', exp: Math.floor(Date.now() / 1000) - 60 });
    const requests: Array<[string, string | undefined]> = [
      ['/', user],
      ['/admin', user],
      ['/admin', admin2],
      ['/', 'opaque-token-1'],
      ['/', 'unknown-token'],
      ['/', expired],
      ['/', undefined],
    ];
    for (const [path, token] of requests) {
      const viaGrpc = await get(grpcService, path, token);
      const viaHttp = await get(httpService, path, token);
      assert.deepEqual(viaGrpc, viaHttp, `${path} with ${token ? token.slice(0, 12) : 'no token'}`);
    }
    const introspected = new Set(grpcServer.calls.map((call) => call.request.token));
    for (const [, token] of requests) if (token) assert.ok(introspected.has(token), 'introspected over gRPC');
    assert.equal((await get(grpcService, '/admin', admin2)).body, 'Hi, admin2');
    assert.equal((await get(grpcService, '/admin', user)).status, 403);
    assert.equal((await get(grpcService, '/', 'opaque-token-1')).body, 'Hello, svc-opaque');
  });

  it('prefers the gRPC endpoint, and answers from the HTTP endpoint once the gRPC server is gone', async () => {
    const doomed = new TestIntrospectionServer();
    doomed.lookup = grpcServer.lookup;
    await doomed.start();
    const both = await createGrpcAuthenticator({
      config: config({ grpc: { endpoint: doomed.endpoint }, endpoint: `${idp.url}/introspect` }),
    });
    const service = await exampleService(both);
    try {
      const first = await idp.sign({ sub: 'first' });
      const before = idp.calls.length;
      assert.equal((await get(service, '/', first)).body, 'Hello, first');
      assert.equal(doomed.calls.length, 1);
      // The gRPC server asked the store once (its lookup); the service itself did not call HTTP.
      assert.equal(idp.calls.length - before, 1);

      doomed.stop();
      const second = await idp.sign({ sub: 'second' });
      assert.equal((await get(service, '/', second)).body, 'Hello, second');
      assert.equal(doomed.calls.length, 1, 'the stopped server saw nothing more');
      assert.equal(idp.calls.at(-1)?.headers.authorization, `Bearer ${INTROSPECTOR_TOKEN}`);
    } finally {
      await service.close();
      await both.close();
    }
  });

  it("bounds each call by go-authkit's grpcClient.requestTimeout: 503 idp_timeout", async () => {
    const silent = new TestIntrospectionServer();
    silent.handler = () => {};
    await silent.start();
    const auth = await createGrpcAuthenticator({
      config: { ...config({ grpc: { endpoint: silent.endpoint } }), grpcClient: { requestTimeout: '150ms' } },
    });
    try {
      const error = await auth.authenticateToken('opaque-token-1').catch((caught: unknown) => caught);
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.reason, 'idp_timeout');
      assert.equal(silent.calls.length, 1);
    } finally {
      await auth.close();
      silent.stop();
    }
  });

  it('answers 503 with Retry-After when the gRPC server throttles', async () => {
    const token = await idp.sign({ sub: 'throttled' });
    const trailers = new Metadata();
    trailers.set('retry-after', '7');
    grpcServer.handler = (_call, callback) =>
      callback({ code: status.RESOURCE_EXHAUSTED, details: 'rate limit', metadata: trailers });
    try {
      const answer = await get(grpcService, '/', token);
      assert.equal(answer.status, 503);
      assert.equal(answer.retryAfter, '7');
      assert.equal(JSON.parse(answer.body).error.code, 'serviceUnavailable');
    } finally {
      grpcServer.handler = undefined;
    }
  });
});

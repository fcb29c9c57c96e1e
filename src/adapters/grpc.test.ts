/**
 * @module adapters/grpc.test
 * The gRPC adapter protecting a real user service (greeter.proto) on loopback, called over a real channel:
 * no metadata → Unauthenticated, a valid token → the handler with the principal, failed authorization →
 * PermissionDenied, the IdP down → Unavailable with `retry-after`; unary and server-streaming methods,
 * plain-object and class implementations, public messages only.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import pino from 'pino';
import {
  type Greeter,
  type GreeterClient,
  type HelloReply,
  type HelloRequest,
  loadGreeter,
} from '../../test/grpc/support/greeter.ts';
import { type RunningGrpcServer, serveGrpc } from '../../test/grpc/support/serve.ts';
import { type StubIdp, startStubIdp } from '../../test/support/stub-idp.ts';
import { requireRole } from '../authz/roles.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { createAuthenticator } from '../pipeline/create-authenticator.ts';
import { type ProtectServiceOptions, principalOf, protectService } from './grpc.ts';

type Reply = { metadata: Metadata; reply: HelloReply };
type Failure = ServiceError;

/** A user's implementation written as a plain object of handlers. */
const greeter = {
  SayHello(call: ServerUnaryCall<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) {
    callback(null, { message: `Hello, ${principalOf(call)?.subject}` });
  },
  Admin(call: ServerUnaryCall<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) {
    callback(null, { message: `Hi, ${principalOf(call)?.subject}` });
  },
  Countdown(call: ServerWritableStream<HelloRequest, HelloReply>) {
    for (const n of [3, 2, 1]) call.write({ message: `${n}, ${principalOf(call)?.subject}` });
    call.end();
  },
};

/** The same service as a class: handlers are prototype methods using private state. */
class GreeterService {
  readonly #greeting = 'Good day';
  SayHello(call: ServerUnaryCall<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) {
    callback(null, { message: `${this.#greeting}, ${principalOf(call)?.subject}` });
  }
  Admin(call: ServerUnaryCall<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) {
    callback(null, { message: `${this.#greeting}, admin ${principalOf(call)?.subject}` });
  }
  Countdown(call: ServerWritableStream<HelloRequest, HelloReply>) {
    call.end();
  }
}

const adminRole = requireRole({ namespace: 'my_service', role: 'admin' });

describe('protectService (gRPC adapter)', () => {
  let idp: StubIdp;
  let auth: Authenticator;
  let greeterService: Greeter;
  const logLines: Array<Record<string, unknown>> = [];
  const servers: RunningGrpcServer[] = [];
  const clients: GreeterClient[] = [];

  before(async () => {
    idp = await startStubIdp();
    idp.extraClaims.set('admin2', { scope: [{ rn: 'my_service', role: 'admin' }] });
    auth = createAuthenticator({
      config: {
        errorDomain: 'MyService',
        introspection: {
          endpoint: `${idp.url}/introspect`,
          clientAuth: { accessToken: 'access-token-with-introspection-permission' },
        },
      },
    });
    greeterService = await loadGreeter();
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const server of servers) server.stop();
    await auth.close();
    await idp.close();
  });
  beforeEach(() => {
    idp.answer = undefined;
    idp.calls.length = 0;
    logLines.length = 0;
  });

  /** Serves `implementation` protected by the adapter; resolves a client of it. */
  async function serve(implementation: object, options: ProtectServiceOptions = {}): Promise<GreeterClient> {
    const logger = pino(
      { base: null },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const server = new Server();
    const protectedService = protectService(auth, implementation as UntypedServiceImplementation, {
      authorize: { Admin: adminRole },
      logger,
      ...options,
    });
    server.addService(greeterService.service, protectedService);
    const running = await serveGrpc(server, ServerCredentials.createInsecure());
    servers.push(running);
    const client = greeterService.client(running.endpoint);
    clients.push(client);
    return client;
  }

  function metadata(entries: Record<string, string> = {}): Metadata {
    const result = new Metadata();
    for (const [key, value] of Object.entries(entries)) result.set(key, value);
    return result;
  }

  const bearer = (token: string) => metadata({ authorization: `Bearer ${token}` });

  /** A unary call: its reply, or its failure with the trailing metadata. */
  function unary(
    client: GreeterClient,
    method: 'SayHello' | 'Admin',
    sent: Metadata,
  ): Promise<Reply | Failure> {
    return new Promise((resolve) => {
      let header = new Metadata();
      const call = client[method]({ name: 'x' }, sent, (error, reply) =>
        resolve(error ?? { metadata: header, reply: reply as HelloReply }),
      );
      call.on('metadata', (received: Metadata) => {
        header = received;
      });
    });
  }

  function streamed(client: GreeterClient, sent: Metadata): Promise<string[] | Failure> {
    return new Promise((resolve) => {
      const messages: string[] = [];
      const call = client.Countdown({ name: 'x' }, sent);
      call.on('data', (reply: HelloReply) => messages.push(reply.message));
      call.on('error', (error: ServiceError) => resolve(error));
      call.on('end', () => resolve(messages));
    });
  }

  function failure(result: unknown, code: status, details: string): ServiceError {
    const error = result as ServiceError;
    assert.equal(error.code, code, `${status[error.code]}: ${error.details}`);
    assert.equal(error.details, details, 'the public message only');
    return error;
  }

  describe('a plain-object implementation', () => {
    let client: GreeterClient;
    before(async () => {
      client = await serve(greeter);
    });

    it('answers a call without metadata Unauthenticated, with the public message', async () => {
      failure(
        await unary(client, 'SayHello', metadata()),
        status.UNAUTHENTICATED,
        'Authorization bearer token is missing.',
      );
      assert.equal(idp.calls.length, 0);
      assert.equal(logLines[0].msg, 'error in response');
      assert.equal(logLines[0].error_code, 'bearerTokenMissing');
    });

    it('runs the handler with the principal for a valid token (scheme in any case)', async () => {
      const token = await idp.sign({ sub: 'user' });
      const reply = (await unary(
        client,
        'SayHello',
        metadata({ authorization: `bearer ${token}` }),
      )) as Reply;
      assert.equal(reply.reply.message, 'Hello, user');
      assert.equal(idp.calls.length, 1);
      assert.equal(idp.calls[0].form.get('token'), token);
    });

    it('serves repeated calls from the cache, on the synchronous path', async () => {
      const token = await idp.sign({ sub: 'cached-user' });
      for (let i = 0; i < 3; i++) {
        assert.equal(
          ((await unary(client, 'SayHello', bearer(token))) as Reply).reply.message,
          'Hello, cached-user',
        );
      }
      assert.equal(idp.calls.length, 1);
    });

    it('passes the caller x-request-id on to the IdP', async () => {
      const token = await idp.sign({ sub: 'traced' });
      const sent = bearer(token);
      sent.set('x-request-id', 'req-77');
      await unary(client, 'SayHello', sent);
      assert.equal(idp.calls[0].headers['x-request-id'], 'req-77');
    });

    it('answers an inactive token Unauthenticated', async () => {
      failure(
        await unary(client, 'SayHello', bearer('not-a-known-token')),
        status.UNAUTHENTICATED,
        'Authentication is failed.',
      );
    });

    it('answers a method whose authorization fails PermissionDenied, and runs it when it passes', async () => {
      const user = await idp.sign({ sub: 'user' });
      failure(
        await unary(client, 'Admin', bearer(user)),
        status.PERMISSION_DENIED,
        'Authorization is failed.',
      );
      const admin2 = await idp.sign({ sub: 'admin2' });
      assert.equal(((await unary(client, 'Admin', bearer(admin2))) as Reply).reply.message, 'Hi, admin2');
    });

    it('answers Unavailable with retry-after when the IdP is down, never its detail', async () => {
      idp.answer = () => ({ status: 503, body: 'maintenance', headers: { 'retry-after': '9' } });
      const token = await idp.sign({ sub: 'unlucky' });
      const error = failure(
        await unary(client, 'SayHello', bearer(token)),
        status.UNAVAILABLE,
        'Service temporarily unavailable.',
      );
      assert.deepEqual(error.metadata.get('retry-after'), ['9']);
      assert.equal(logLines[0].error_reason, 'idp_unavailable');
    });

    it('answers a malformed token Unauthenticated without asking the IdP', async () => {
      failure(
        await unary(client, 'SayHello', bearer('bad token/ws')),
        status.UNAUTHENTICATED,
        'Authentication is failed.',
      );
      assert.equal(idp.calls.length, 0);
    });

    it('protects server-streaming methods: the stream for a valid token, the status otherwise', async () => {
      const token = await idp.sign({ sub: 'streamer' });
      assert.deepEqual(await streamed(client, bearer(token)), ['3, streamer', '2, streamer', '1, streamer']);
      failure(
        await streamed(client, metadata()),
        status.UNAUTHENTICATED,
        'Authorization bearer token is missing.',
      );
    });
  });

  describe('a class implementation', () => {
    it('wraps prototype methods and keeps `this` the instance', async () => {
      const client = await serve(new GreeterService());
      const token = await idp.sign({ sub: 'classy' });
      assert.equal(
        ((await unary(client, 'SayHello', bearer(token))) as Reply).reply.message,
        'Good day, classy',
      );
      failure(
        await unary(client, 'Admin', bearer(token)),
        status.PERMISSION_DENIED,
        'Authorization is failed.',
      );
    });
  });

  it('refuses an authorize map naming a method the service does not have', () => {
    assert.throws(
      () =>
        protectService(auth, greeter as UntypedServiceImplementation, { authorize: { SayHelo: adminRole } }),
      (error: unknown) => error instanceof TokenguardError && error.path === 'authorize.SayHelo',
    );
  });

  it('applies one authorizer to every method', async () => {
    const client = await serve(greeter, { authorize: adminRole });
    const user = await idp.sign({ sub: 'user' });
    failure(
      await unary(client, 'SayHello', bearer(user)),
      status.PERMISSION_DENIED,
      'Authorization is failed.',
    );
  });

  it('has no principal for a call it did not admit', () => {
    assert.equal(principalOf({}), undefined);
  });
});

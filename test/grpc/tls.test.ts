/**
 * @module test/grpc/tls.test
 * gRPC introspection over TLS and mutual TLS, with certificates made for the test (openssl): a private CA
 * verifies the server; a server that requires client certificates admits ours. A missing client
 * certificate, a CA that did not sign the server, and an expired server certificate each fail with a 503
 * whose detail says which; a client certificate without its key is a configuration error naming the key.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import {
  createGrpcIntrospectionTransport,
  type GrpcIntrospectionTransport,
} from '../../src/grpc/grpc-transport.ts';
import { introspectionConfig, rejectsUnavailable } from '../../src/introspection/test-support/fixtures.ts';
import type { TestPki } from '../../src/introspection/test-support/pki.ts';
import {
  INTROSPECTOR_TOKEN,
  type ServerTls,
  TestIntrospectionServer,
} from './support/introspection-server.ts';
import { createGrpcTestPki, type GrpcTestPki } from './support/pki.ts';

const TOKEN = 'opaque-token-tls';

interface ClientTls {
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
}

describe('gRPC introspection over TLS', () => {
  let pki: GrpcTestPki;
  let main: TestPki;
  const servers: TestIntrospectionServer[] = [];
  const transports: GrpcIntrospectionTransport[] = [];

  before(() => {
    pki = createGrpcTestPki();
    main = pki.main;
  });
  after(() => pki.remove());
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
    for (const server of servers.splice(0)) server.stop();
  });

  async function serve(tls: ServerTls): Promise<TestIntrospectionServer> {
    const server = await new TestIntrospectionServer().start(tls);
    server.tokens.set(TOKEN, { sub: 'alice' });
    servers.push(server);
    return server;
  }

  async function client(
    server: TestIntrospectionServer,
    tls: ClientTls,
  ): Promise<GrpcIntrospectionTransport> {
    const transport = await createGrpcIntrospectionTransport(
      introspectionConfig({
        grpc: { endpoint: server.endpoint, tls: { enabled: true, ...tls } },
        clientAuth: { accessToken: INTROSPECTOR_TOKEN },
      }),
    );
    transports.push(transport);
    return transport;
  }

  const serverTls = (): ServerTls => ({ cert: pki.read(main.serverCert), key: pki.read(main.serverKey) });
  const mutualTls = (): ServerTls => ({ ...serverTls(), ca: pki.read(main.caCert), requireClientCert: true });

  it('verifies the server against the configured CA', async () => {
    const server = await serve(serverTls());
    const transport = await client(server, { caCert: main.caCert });
    assert.deepEqual(await transport.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.equal(server.calls.length, 1);
  });

  it('presents the client certificate to a server that requires one (mutual TLS)', async () => {
    const server = await serve(mutualTls());
    const transport = await client(server, {
      caCert: main.caCert,
      clientCert: main.clientCert,
      clientKey: main.clientKey,
    });
    assert.deepEqual(await transport.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.match(transport.id, / mtls=[0-9a-f]{12}\|$/, 'the certificate is part of who we are');
  });

  it('fails with a 503 saying a certificate was required when none is configured', async () => {
    const server = await serve(mutualTls());
    const transport = await client(server, { caCert: main.caCert });
    const error = await rejectsUnavailable(transport.introspect(TOKEN), 'idp_unavailable', [
      INTROSPECTOR_TOKEN,
    ]);
    assert.match(error.detail ?? '', /certificate required/);
    assert.equal(server.calls.length, 0);
  });

  it('fails with a 503 saying the server certificate cannot be verified against a wrong CA', async () => {
    const server = await serve(serverTls());
    const transport = await client(server, { caCert: pki.foreign.caCert });
    const error = await rejectsUnavailable(transport.introspect(TOKEN), 'idp_unavailable');
    assert.match(error.detail ?? '', /unable to verify the first certificate/);
    assert.equal(server.calls.length, 0);
  });

  it('fails with a 503 saying the server certificate has expired', async () => {
    const server = await serve({ cert: pki.read(pki.expiredServerCert), key: pki.read(main.serverKey) });
    const transport = await client(server, { caCert: main.caCert });
    const error = await rejectsUnavailable(transport.introspect(TOKEN), 'idp_unavailable');
    assert.match(error.detail ?? '', /certificate has expired/);
    assert.equal(server.calls.length, 0);
  });

  it('refuses a client certificate from a CA the server does not trust', async () => {
    const server = await serve(mutualTls());
    const transport = await client(server, {
      caCert: main.caCert,
      clientCert: pki.foreign.clientCert,
      clientKey: pki.foreign.clientKey,
    });
    await rejectsUnavailable(transport.introspect(TOKEN), 'idp_unavailable');
    assert.equal(server.calls.length, 0);
  });

  it('names clientKey when the client certificate comes without it', async () => {
    const error = await createGrpcIntrospectionTransport(
      introspectionConfig({
        grpc: {
          endpoint: '127.0.0.1:1',
          tls: { enabled: true, caCert: main.caCert, clientCert: main.clientCert },
        },
      }),
    ).then(
      () => assert.fail('expected a configuration error'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    assert.equal(error.path, 'auth.introspection.grpc.tls.clientKey');
  });
});

/**
 * @module grpc/create.test
 * `createGrpcAuthenticator` outside the network: which key sets the gRPC deadline (go-authkit's
 * `grpcClient.requestTimeout` is honoured), configurations refused before anything is built, and a plain
 * `createAuthenticator` when no gRPC endpoint is configured. The network side is `test/grpc/pipeline.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuthConfigInput, authConfigSchema } from '../config/schema.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { createGrpcAuthenticator, grpcRequestTimeout } from './create.ts';

const parse = (input: AuthConfigInput) => authConfigSchema.parse(input);

describe('grpcRequestTimeout', () => {
  it('is 5 s by default', () => {
    assert.equal(grpcRequestTimeout(parse({})), 5000);
  });

  it("takes go-authkit's grpcClient.requestTimeout when it alone is set", () => {
    assert.equal(grpcRequestTimeout(parse({ grpcClient: { requestTimeout: '2m' } })), 120_000);
  });

  it('prefers introspection.grpc.requestTimeout when set', () => {
    const config = parse({
      grpcClient: { requestTimeout: '2m' },
      introspection: { grpc: { endpoint: 'idp:50051', requestTimeout: '750ms' } },
    });
    assert.equal(grpcRequestTimeout(config), 750);
  });
});

describe('createGrpcAuthenticator', () => {
  async function refused(input: AuthConfigInput, path: string) {
    const error = await createGrpcAuthenticator({ config: input }).then(
      () => assert.fail('expected a configuration error'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    assert.equal(error.path, path);
  }

  it('refuses signed answers with a gRPC endpoint, before building the HTTP fallback', async () => {
    await refused(
      {
        introspection: { grpc: { endpoint: '127.0.0.1:1' }, endpoint: 'http://127.0.0.1:1/i', accept: 'jwt' },
      },
      'auth.introspection.accept',
    );
  });

  it('refuses client authentication that gRPC metadata cannot carry', async () => {
    await refused(
      {
        introspection: {
          grpc: { endpoint: '127.0.0.1:1' },
          clientAuth: { clientId: 'a', clientSecret: 'b' },
        },
      },
      'auth.introspection.clientAuth.method',
    );
  });

  it('is createAuthenticator when no gRPC endpoint is set', async () => {
    const auth = await createGrpcAuthenticator({ config: { errorDomain: 'MyService' } });
    try {
      assert.equal(auth.config.errorDomain, 'MyService');
      assert.throws(() => auth.extract({ headers: {} }), { code: 'bearerTokenMissing' });
    } finally {
      await auth.close();
    }
  });
});

/**
 * @module test/idp/grpc-config.test
 * The configuration and life cycle of the IdP's gRPC listener (`idp.grpc`): off by default, and then the
 * optional gRPC packages are not even imported; missing packages, a port in use, and TLS settings that
 * cannot work are start-up errors naming their key (with the HTTP listener released again); the keys can
 * come from the environment; `close()` stops the listener.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import { createGrpcIntrospectionTransport } from '../../src/grpc/grpc-transport.ts';
import { loadIdpConfig, parseIdpConfig } from '../../src/idp/config/load.ts';
import { createIdp } from '../../src/idp/server.ts';
import { introspectionConfig, rejectsUnavailable } from '../../src/introspection/test-support/fixtures.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { closedPortUrl, closeServer } from '../support/loopback.ts';
import { authkitToken, STATIC_TOKEN, seedConfig } from './support/seed-idp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts an IdP with `grpc` in a fresh Node process whose resolution of `@grpc/*` is recorded, or made to
 * fail when `peersMissing`; prints which of them were resolved, the gRPC address, or the error's key path.
 */
function startInChild(grpc: Record<string, unknown>, peersMissing = false): Record<string, unknown> {
  const script = `
    import { registerHooks } from 'node:module';
    const resolved = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.startsWith('@grpc/')) {
          resolved.add(specifier);
          if (${peersMissing}) {
            throw Object.assign(new Error('Cannot find package ' + specifier), { code: 'ERR_MODULE_NOT_FOUND' });
          }
        }
        return next(specifier, context);
      },
    });
    const { createIdp } = await import('./src/idp/server.ts');
    const { silentLogger } = await import('./src/observability/logger.ts');
    const result = {};
    try {
      const idp = await createIdp({ port: 0, store: 'memory', grpc: ${JSON.stringify(grpc)} }, { logger: silentLogger });
      result.grpcAddress = idp.grpcAddress ?? null;
      await idp.close();
    } catch (error) {
      result.errorPath = error.path;
      result.message = error.message;
    }
    result.resolved = [...resolved].sort();
    console.log(JSON.stringify(result));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
}

describe('IdP gRPC listener: configuration and life cycle', () => {
  it('off by default; the optional gRPC packages are imported only when it is enabled', () => {
    assert.deepEqual(startInChild({}), { grpcAddress: null, resolved: [] });
    const enabled = startInChild({ enabled: true, port: 0 });
    assert.match(String(enabled.grpcAddress), /^127\.0\.0\.1:[1-9][0-9]*$/);
    assert.deepEqual(enabled.resolved, ['@grpc/grpc-js', '@grpc/proto-loader']);
  });

  it('without the optional packages, enabling it is a configuration error naming idp.grpc.enabled', () => {
    const result = startInChild({ enabled: true, port: 0 }, true);
    assert.equal(result.errorPath, 'idp.grpc.enabled');
    assert.match(String(result.message), /npm i @grpc\/grpc-js @grpc\/proto-loader/);
    assert.deepEqual(startInChild({}, true).grpcAddress, null, 'an IdP without gRPC needs none of them');
  });

  it('a port in use stops start-up naming idp.grpc.port, and releases the HTTP port again', async () => {
    const first = await createIdp(seedConfig({ grpc: { enabled: true, port: 0 } }), { logger: silentLogger });
    try {
      const busy = Number((first.grpcAddress as string).split(':')[1]);
      const httpPort = Number(new URL(await closedPortUrl()).port);
      await assert.rejects(
        createIdp(seedConfig({ port: httpPort, grpc: { enabled: true, port: busy } }), {
          logger: silentLogger,
        }),
        (error: unknown) => {
          assert.ok(error instanceof TokenguardError);
          assert.equal(error.path, 'idp.grpc.port');
          assert.match(error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy}`));
          return true;
        },
      );
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(httpPort, '127.0.0.1', resolve);
      });
      await closeServer(probe);
    } finally {
      await first.close();
    }
  });

  it('refuses TLS settings that cannot work, naming the key', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ cert: 'server.crt' }, 'idp.grpc.tls.key'],
      [{ key: 'server.key' }, 'idp.grpc.tls.cert'],
      [{ cert: 'server.crt', key: 'server.key', requireClientCert: true }, 'idp.grpc.tls.ca'],
      [{ ca: 'ca.crt', requireClientCert: true }, 'idp.grpc.tls.cert'],
      // A CA alone would verify nobody: it is only read to check client certificates.
      [{ cert: 'server.crt', key: 'server.key', ca: 'ca.crt' }, 'idp.grpc.tls.requireClientCert'],
    ];
    for (const [tls, path] of cases) {
      assert.throws(
        () => parseIdpConfig({ grpc: { enabled: true, tls } }),
        (error: unknown) => error instanceof TokenguardError && error.message.includes(path),
        JSON.stringify(tls),
      );
    }
    const defaults = parseIdpConfig({}).grpc;
    assert.deepEqual(defaults, {
      enabled: false,
      host: '127.0.0.1',
      port: 50051,
      tls: { cert: '', key: '', ca: '', requireClientCert: false },
    });
  });

  it('takes its keys from the environment like every IdP key', () => {
    const config = loadIdpConfig({
      env: {
        TOKENGUARD_IDP_GRPC_ENABLED: 'true',
        TOKENGUARD_IDP_GRPC_PORT: '50052',
        TOKENGUARD_IDP_GRPC_TLS_REQUIRECLIENTCERT: 'false',
      },
    });
    assert.equal(config.grpc.enabled, true);
    assert.equal(config.grpc.port, 50052);
  });

  it('close() stops the listener: calls fail as the server being gone', async () => {
    const idp = await createIdp(seedConfig({ grpc: { enabled: true, port: 0 } }), { logger: silentLogger });
    const transport = await createGrpcIntrospectionTransport(
      introspectionConfig({
        grpc: { endpoint: idp.grpcAddress as string },
        clientAuth: { accessToken: STATIC_TOKEN },
      }),
      { requestTimeoutMs: 2000 },
    );
    try {
      const token = await authkitToken(idp, 'user', 'user-pwd');
      assert.equal((await transport.introspect(token)).sub, 'user');
      await idp.close();
      await rejectsUnavailable(transport.introspect(token), 'idp_unavailable');
    } finally {
      await transport.close();
    }
  });
});

/**
 * @module test/grpc/optional-peers.test
 * `@grpc/grpc-js` and `@grpc/proto-loader` are optional peers: importing `tokenguard/grpc` loads neither;
 * creating a transport does; and without them the rest of the library works while gRPC support fails with
 * a configuration error that says what to install. Each case runs in a fresh Node process whose module
 * resolution is watched (or made to fail) by a resolve hook.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `body` as an ES module in a new process at the repository root; returns what it printed as JSON. */
function run(hook: string, body: string): Record<string, unknown> {
  const script = `
    import { registerHooks } from 'node:module';
    const resolved = [];
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.startsWith('@grpc/')) {
          resolved.push(specifier);
          ${hook}
        }
        return next(specifier, context);
      },
    });
    const { authConfigSchema } = await import('./src/config/schema.ts');
    const introspection = authConfigSchema.parse({ introspection: { grpc: { endpoint: '127.0.0.1:1' } } }).introspection;
    ${body}
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
}

describe('optional gRPC peers', () => {
  it('are imported when a transport is created, not when tokenguard/grpc is imported', () => {
    const result = run(
      '',
      `
      const grpc = await import('./src/grpc/index.ts');
      const atImport = [...resolved];
      const transport = await grpc.createGrpcIntrospectionTransport(introspection);
      await transport.close();
      console.log(JSON.stringify({ atImport, atCreate: [...new Set(resolved)].sort() }));
      `,
    );
    assert.deepEqual(result, { atImport: [], atCreate: ['@grpc/grpc-js', '@grpc/proto-loader'] });
  });

  it('may be missing: the library works, gRPC support says what to install', () => {
    const result = run(
      `const error = new Error('Cannot find package ' + specifier);
          error.code = 'ERR_MODULE_NOT_FOUND';
          throw error;`,
      `
      const { createAuthenticator } = await import('./src/index.ts');
      const { createGrpcIntrospectionTransport } = await import('./src/grpc/index.ts');
      const auth = createAuthenticator({ config: { introspection: { endpoint: 'http://127.0.0.1:1/introspect' } } });
      await auth.close();
      const error = await createGrpcIntrospectionTransport(introspection).catch((caught) => caught);
      console.log(JSON.stringify({ code: error.code, path: error.path, message: error.message }));
      `,
    );
    assert.equal(result.code, 'configInvalid');
    assert.equal(result.path, 'auth.introspection.grpc');
    assert.match(String(result.message), /needs the package @grpc\/grpc-js \(npm i @grpc\/grpc-js\)/);
  });
});

/**
 * @module examples/token-introspection/service
 * The service of seed 000, shared by the token-introspection and authn-middleware examples: `GET /` answers
 * `Hello, <sub>`, `GET /admin` requires role `admin` of `my_service` and answers `Hi, <sub>`, errors in the
 * `auth.errorDomain` JSON body, JSON log lines with seed 000's fields. Flags: `--config <file>` (default:
 * the example's `config.yaml`), `--port` (default 8080), `--host` (default 127.0.0.1); environment
 * overrides `MY_SERVICE_AUTH_<PATH>`. The authenticator introspects over gRPC when
 * `auth.introspection.grpc.endpoint` is set, over HTTP otherwise.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { protect } from '../../src/adapters/node-http.ts';
import { createGrpcAuthenticator } from '../../src/grpc/create.ts';
import { createLogger, loadConfig, requireRole, withAccessLog } from '../../src/index.ts';

export const ENV_PREFIX = 'MY_SERVICE';

/** Starts the service of the example whose directory is `exampleDir`; stops it on SIGINT / SIGTERM. */
export async function runService(name: string, exampleDir: string): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: join(exampleDir, 'config.yaml') },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const config = loadConfig({ file: values.config, env: process.env, envPrefix: ENV_PREFIX });
  const logger = createLogger();
  const auth = await createGrpcAuthenticator({ config, logger });

  const hello = protect(
    auth,
    (_request, response, principal) => response.end(`Hello, ${principal.subject}`),
    {
      logger,
    },
  );
  const admin = protect(auth, (_request, response, principal) => response.end(`Hi, ${principal.subject}`), {
    logger,
    authorize: requireRole({ namespace: 'my_service', role: 'admin' }),
  });
  const server = createServer(
    withAccessLog(logger, (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/') return hello(request, response);
      if (path === '/admin') return admin(request, response);
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    }),
  );
  server.listen(Number(values.port), values.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : values.port;
  const grpc = config.introspection.grpc.endpoint;
  const via = grpc ? `gRPC introspection at ${grpc}` : 'HTTP';
  process.stderr.write(`${name}: listening on http://${values.host}:${port} (${via})\n`);

  const stop = async () => {
    server.close();
    await auth.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

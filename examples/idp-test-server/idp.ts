/**
 * @module examples/idp-test-server/idp
 * Starts seed 000's IdP from `config.yaml` beside this file, with command-line overrides: `--port`
 * (HTTP, default 8081), `--grpc` (also serve gRPC introspection), `--grpc-port` (default 50051, implies
 * `--grpc`), `--grpc-tls-cert` / `--grpc-tls-key` (gRPC over TLS), `--config` (another file). Environment
 * overrides use the prefix `TOKENGUARD` (`TOKENGUARD_IDP_PORT=9000`). Shared by `main.ts` and the gRPC
 * server example, which is the same IdP with gRPC on.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createIdp, type Idp, loadIdpConfig } from '../../src/idp/index.ts';

export interface ExampleIdpDefaults {
  /** Serve gRPC introspection even without `--grpc`. */
  grpc?: boolean;
}

/** Parses the flags and starts the IdP; prints where it listens on stderr (stdout holds its JSON logs). */
export async function startExampleIdp(
  name: string,
  args: string[] = process.argv.slice(2),
  defaults: ExampleIdpDefaults = {},
): Promise<Idp> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: join(import.meta.dirname, 'config.yaml') },
      port: { type: 'string' },
      grpc: { type: 'boolean', default: defaults.grpc ?? false },
      'grpc-port': { type: 'string' },
      'grpc-tls-cert': { type: 'string', default: '' },
      'grpc-tls-key': { type: 'string', default: '' },
    },
  });
  const file = loadIdpConfig({ file: values.config });
  const grpcPort = values['grpc-port'];
  const grpcOn = values.grpc || grpcPort !== undefined || file.grpc.enabled;
  const config = loadIdpConfig({
    file: values.config,
    env: process.env,
    overrides: {
      port: values.port === undefined ? undefined : Number(values.port),
      grpc: grpcOn
        ? {
            ...file.grpc,
            enabled: true,
            port: grpcPort === undefined ? file.grpc.port : Number(grpcPort),
            tls: { ...file.grpc.tls, cert: values['grpc-tls-cert'], key: values['grpc-tls-key'] },
          }
        : undefined,
    },
  });
  const idp = await createIdp(config);
  const grpc = idp.grpcAddress
    ? ` and gRPC on ${idp.grpcAddress}${config.grpc.tls.cert ? ' (TLS)' : ''}`
    : '';
  process.stderr.write(`${name}: listening on ${idp.url}${grpc}, issuer ${idp.issuer}\n`);
  const stop = async () => {
    await idp.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return idp;
}

/**
 * @module grpc/credentials
 * The channel security of the gRPC introspection client, from `auth.introspection.grpc.tls`: plaintext,
 * TLS verified against the configured CA (or the system roots), or mutual TLS when a client certificate
 * and its key are both set (seed 000). The PEM files are read once, at startup; every mistake is a
 * `configInvalid` naming the key to fix.
 */
import { readFileSync } from 'node:fs';
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { AuthConfig } from '../config/schema.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import type { GrpcModule } from './peers.ts';

type GrpcTlsConfig = AuthConfig['introspection']['grpc']['tls'];

const PATH = 'auth.introspection.grpc.tls';

/** The PEM contents of a TLS channel; `cert` and `key` are set together (mutual TLS) or not at all. */
export interface GrpcTlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * The TLS files of `config`, or undefined for a plaintext channel. Certificate files with TLS disabled are
 * refused rather than ignored: whoever set them meant the tokens to travel encrypted.
 */
export function readGrpcTls(
  config: GrpcTlsConfig,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): GrpcTlsFiles | undefined {
  if (!config.enabled) {
    const set = (['caCert', 'clientCert', 'clientKey'] as const).find((key) => config[key]);
    if (set) throw configInvalid(`${PATH}.enabled`, `must be true when ${set} is set`);
    return undefined;
  }
  if (config.clientCert && !config.clientKey) {
    throw configInvalid(`${PATH}.clientKey`, 'is required with clientCert (mutual TLS needs both)');
  }
  if (config.clientKey && !config.clientCert) {
    throw configInvalid(`${PATH}.clientCert`, 'is required with clientKey (mutual TLS needs both)');
  }
  const read = (key: 'caCert' | 'clientCert' | 'clientKey') => {
    const path = config[key];
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch {
      // A key's value is not repeated: it may be key material pasted where a file name belongs.
      const named = key === 'clientKey' ? 'it names' : path;
      throw configInvalid(`${PATH}.${key}`, `cannot read the file ${named}`);
    }
  };
  const files: GrpcTlsFiles = {};
  const ca = read('caCert');
  const cert = read('clientCert');
  const key = read('clientKey');
  if (ca) files.ca = ca;
  if (cert && key) {
    files.cert = cert;
    files.key = key;
  }
  return files;
}

/** grpc-js channel credentials for `tls` (plaintext when undefined). Unparsable PEM is a config error. */
export function channelCredentials(grpc: GrpcModule, tls: GrpcTlsFiles | undefined): ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  try {
    return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
  } catch (error) {
    throw configInvalid(PATH, `the certificates or the key cannot be used: ${(error as Error).message}`);
  }
}

/**
 * @module idp/grpc/listener
 * The IdP's gRPC listener (`idp.grpc`): `idp_token.IDPTokenService` on its own address (seed 000:
 * 127.0.0.1:50051), plaintext, TLS, or mutual TLS where connections without a client certificate of the
 * configured CA are refused during the handshake. The optional peers `@grpc/grpc-js` and
 * `@grpc/proto-loader` are imported here, on start, so an IdP without gRPC never needs them.
 *
 * gRPC calls carry no path, so they cannot name a tenant or a profile as HTTP requests do: they address
 * the default tenant under the first profile of `idp.profiles` (the one the root discovery document
 * describes), whose issuer and claim style tokens made by `CreateToken` get. Introspection answers do not
 * depend on it: a token is answered in the claim style it was issued with.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { ServerCredentials } from '@grpc/grpc-js';
import { configInvalid, isTokenguardError } from '../../errors/tokenguard-error.ts';
import type { GrpcModule } from '../../grpc/peers.ts';
import { type IdpTokenProto, loadIdpTokenProto } from '../../grpc/proto.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { IdpServices } from '../endpoints/types.ts';
import { DEFAULT_TENANT } from '../model.ts';
import { claimStyleOf, issuerPathOf } from '../tenants/profiles.ts';
import type { Realm } from '../tokens/types.ts';
import { createIdpTokenService } from './service.ts';

export interface GrpcListener {
  /** `host:port` as bound (IPv6 in brackets), the form `auth.introspection.grpc.endpoint` takes. */
  address: string;
  close(): Promise<void>;
}

type GrpcTls = IdpConfig['grpc']['tls'];

/**
 * How long `close` lets calls in flight finish (their handlers still use the store, which closes next)
 * before cutting every connection, as the HTTP side does with its own.
 */
const SHUTDOWN_GRACE_MS = 1000;

/** The realm of every gRPC call: the default tenant under the first profile, below `base`. */
export function grpcRealm(config: IdpConfig, base: string): Realm {
  const profile = config.profiles[0];
  return {
    tenant: DEFAULT_TENANT,
    issuer: `${base}${issuerPathOf(profile, DEFAULT_TENANT) ?? ''}`,
    claimStyle: claimStyleOf(profile),
  };
}

/** The protocol; a missing peer is a configuration error of the key that asked for gRPC. */
async function loadProto(): Promise<IdpTokenProto> {
  try {
    return await loadIdpTokenProto();
  } catch (error) {
    if (!isTokenguardError(error) || error.code !== 'configInvalid') throw error;
    throw configInvalid(
      'idp.grpc.enabled',
      'the gRPC service needs the optional packages @grpc/grpc-js and @grpc/proto-loader (npm i @grpc/grpc-js @grpc/proto-loader)',
    );
  }
}

/**
 * Server credentials of `idp.grpc.tls`. The files are read and tried as a TLS context now, so that a
 * wrong path, a key of another certificate or a broken CA file stops start-up naming its key, instead of
 * surfacing as a failed bind or failed handshakes.
 */
function serverCredentials(grpc: GrpcModule, tls: GrpcTls): ServerCredentials {
  if (!tls.cert) return grpc.ServerCredentials.createInsecure();
  const read = (key: 'cert' | 'key' | 'ca'): Buffer => {
    try {
      return readFileSync(tls[key]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw configInvalid(`idp.grpc.tls.${key}`, `cannot read ${tls[key]}: ${code}`);
    }
  };
  const cert = read('cert');
  const key = read('key');
  const ca = tls.ca ? read('ca') : null;
  // A TLS context skips what is not a certificate in a CA file, which would leave mutual TLS admitting
  // nobody; the first certificate at least must parse.
  if (ca) {
    try {
      new X509Certificate(ca);
    } catch {
      throw configInvalid('idp.grpc.tls.ca', `${tls.ca} holds no PEM certificate`);
    }
  }
  try {
    createSecureContext({ cert, key, ca: ca ?? undefined });
  } catch (error) {
    throw configInvalid(
      'idp.grpc.tls',
      `the certificate, key or CA cannot be used: ${(error as Error).message}`,
    );
  }
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ cert_chain: cert, private_key: key }],
    tls.requireClientCert,
  );
}

/** Starts the gRPC service of `services.config.grpc`; `base` is the IdP's base URL (issuer of the root). */
export async function listenGrpc(services: IdpServices, base: string): Promise<GrpcListener> {
  const { config, logger } = services;
  const settings = config.grpc;
  const proto = await loadProto();
  const credentials = serverCredentials(proto.grpc, settings.tls);
  const realm = grpcRealm(config, base);
  // A request is a token and a few namespaces: the HTTP body limit bounds it as well.
  const server = new proto.grpc.Server({ 'grpc.max_receive_message_length': config.limits.maxBodyBytes });
  server.addService(proto.service, createIdpTokenService({ services, realm, grpc: proto.grpc }));
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${settings.port}`, credentials, (error, bound) => {
      if (!error) return resolve(bound);
      server.forceShutdown();
      reject(configInvalid('idp.grpc.port', `cannot listen on ${host}:${settings.port} (${error.message})`));
    });
  });
  const address = `${host}:${port}`;
  logger.info(
    { address, tls: Boolean(settings.tls.cert), mtls: settings.tls.requireClientCert, issuer: realm.issuer },
    'gRPC introspection service listening',
  );
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

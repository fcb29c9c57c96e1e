/**
 * @module grpc/peers
 * The optional peer dependencies of gRPC support, `@grpc/grpc-js` and `@grpc/proto-loader`, imported on
 * first use only (dynamic `import()`), so that a service using tokenguard over HTTP never needs them
 * installed. Each module is imported once per process; a missing one is a configuration error that says
 * what to install, not a bare "Cannot find package".
 */
import { configInvalid } from '../errors/tokenguard-error.ts';

export type GrpcModule = typeof import('@grpc/grpc-js');
export type ProtoLoaderModule = typeof import('@grpc/proto-loader');

let grpcModule: Promise<GrpcModule> | undefined;
let protoLoaderModule: Promise<ProtoLoaderModule> | undefined;

function missing(name: string, error: unknown): never {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    throw configInvalid('auth.introspection.grpc', `gRPC support needs the package ${name} (npm i ${name})`);
  }
  throw error;
}

/** `@grpc/grpc-js`; rejects with `configInvalid` when it is not installed. */
export function loadGrpc(): Promise<GrpcModule> {
  grpcModule ??= import('@grpc/grpc-js').catch((error: unknown) => missing('@grpc/grpc-js', error));
  return grpcModule;
}

/** `@grpc/proto-loader`; rejects with `configInvalid` when it is not installed. */
export function loadProtoLoader(): Promise<ProtoLoaderModule> {
  protoLoaderModule ??= import('@grpc/proto-loader').catch((error: unknown) =>
    missing('@grpc/proto-loader', error),
  );
  return protoLoaderModule;
}

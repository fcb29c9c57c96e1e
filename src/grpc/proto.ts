/**
 * @module grpc/proto
 * Loads `proto/idp_token.proto` once per process with `@grpc/proto-loader` and hands out what both sides of
 * the protocol need: the `IDPTokenService` definition (for `server.addService`, and typed method
 * definitions for a client) and a client constructor. The path is resolved from this module's own URL, so
 * it holds from `src/grpc` and from the built `dist/grpc` alike (the package must ship `proto/`).
 */
import { fileURLToPath } from 'node:url';
import type {
  handleUnaryCall,
  MethodDefinition,
  ServiceClientConstructor,
  ServiceDefinition,
} from '@grpc/grpc-js';
import type {
  CreateTokenRequest,
  CreateTokenResponse,
  IntrospectTokenRequest,
  IntrospectTokenResponse,
} from './messages.ts';
import { type GrpcModule, loadGrpc, loadProtoLoader } from './peers.ts';

/** Where the one source of truth lives, relative to this module (`src/grpc` or `dist/grpc`). */
export const PROTO_FILE = fileURLToPath(new URL('../../proto/idp_token.proto', import.meta.url));

/** Fully qualified service name (`<package>.<service>`). */
export const SERVICE_NAME = 'idp_token.IDPTokenService';

/**
 * A server implementation of the service (a `type`, so it fits grpc-js' untyped implementation map).
 * Requests arrive with every field; answers may leave fields out, which then travel as their defaults.
 */
export type IdpTokenServiceHandlers = {
  CreateToken: handleUnaryCall<CreateTokenRequest, Partial<CreateTokenResponse>>;
  IntrospectToken: handleUnaryCall<IntrospectTokenRequest, Partial<IntrospectTokenResponse>>;
};

/** The service definition with its methods typed by our message shapes. */
export type IdpTokenServiceDefinition = ServiceDefinition<IdpTokenServiceHandlers> & {
  readonly CreateToken: MethodDefinition<CreateTokenRequest, CreateTokenResponse>;
  readonly IntrospectToken: MethodDefinition<IntrospectTokenRequest, IntrospectTokenResponse>;
};

export interface IdpTokenProto {
  grpc: GrpcModule;
  service: IdpTokenServiceDefinition;
  /** A grpc-js client class with `CreateToken` and `IntrospectToken` methods. */
  Client: ServiceClientConstructor;
}

let loaded: Promise<IdpTokenProto> | undefined;

/** The loaded protocol; the optional peers are imported on the first call. */
export function loadIdpTokenProto(): Promise<IdpTokenProto> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<IdpTokenProto> {
  const [grpc, protoLoader] = await Promise.all([loadGrpc(), loadProtoLoader()]);
  const definition = await protoLoader.load(PROTO_FILE, {
    // Field names as written in the .proto (go-authkit's JSON uses them too), int64 as plain numbers
    // (Unix seconds and tenant ids stay far below 2^53), and every field present on decoded messages.
    keepCase: true,
    longs: Number,
    defaults: true,
  });
  const service = definition[SERVICE_NAME] as unknown as IdpTokenServiceDefinition;
  return {
    grpc,
    service,
    Client: grpc.makeGenericClientConstructor(service, 'IDPTokenService'),
  };
}

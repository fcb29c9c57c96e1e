/**
 * @module grpc
 * `tokenguard/grpc`: gRPC support, on the optional peers `@grpc/grpc-js` and `@grpc/proto-loader` (imported
 * only when something here is used). Introspection over gRPC (go-authkit's `idp_token.IDPTokenService`,
 * with TLS / mTLS and the HTTP fallback), an authenticator that uses it, the protocol itself for servers,
 * and the adapter that protects a gRPC service.
 */

export { type ProtectServiceOptions, principalOf, protectService } from '../adapters/grpc.ts';
export { fromIntrospectTokenResponse, toIntrospectTokenResponse } from './answer.ts';
export { createGrpcAuthenticator } from './create.ts';
export {
  createGrpcIntrospectionTransport,
  type GrpcIntrospectionDeps,
  GrpcIntrospectionTransport,
} from './grpc-transport.ts';
export type {
  AccessTokenScope,
  CreateTokenRequest,
  CreateTokenResponse,
  IntrospectionScopeFilter,
  IntrospectTokenRequest,
  IntrospectTokenResponse,
} from './messages.ts';
export { METADATA } from './messages.ts';
export {
  type IdpTokenProto,
  type IdpTokenServiceDefinition,
  type IdpTokenServiceHandlers,
  loadIdpTokenProto,
  PROTO_FILE,
  SERVICE_NAME,
} from './proto.ts';

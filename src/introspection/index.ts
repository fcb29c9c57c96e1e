/**
 * @module introspection
 * RFC 7662 token introspection (with RFC 9701 signed answers) over HTTP: the transport, how we
 * authenticate to the IdP, where the endpoint is, and how answers are checked.
 */

export type { ClientAuth, ClientAuthDeps, ClientAuthMethod, ClientAuthRequest } from './client-auth.ts';
export { createClientAuth, resolveClientAuthMethod } from './client-auth.ts';
export { type IntrospectionEndpoint, introspectionEndpoint } from './endpoint.ts';
export { type HttpIntrospectionDeps, HttpIntrospectionTransport } from './http-transport.ts';
export {
  createRequestForwarding,
  type ForwardableRequest,
  type ForwardedRequest,
  forwardedDigest,
  type RequestForwarding,
} from './request-forwarding.ts';
export { INTROSPECTION_JWT_MEDIA_TYPE, INTROSPECTION_JWT_TYPE } from './response.ts';
export { readTlsOptions } from './tls.ts';
export type { IntrospectionAnswer, IntrospectionTransport, IntrospectOptions } from './types.ts';

/**
 * @module tokenguard
 * Public API of the library: build an `Authenticator` from config, authenticate requests' bearer tokens by
 * local JWT verification or RFC 7662 introspection, authorize them by scopes, roles, permissions or claim
 * rules. Framework adapters live in `tokenguard/http`, `tokenguard/express` and `tokenguard/fastify`.
 */

export { type ErrorResponse, errorResponse } from './adapters/respond.ts';
export * from './authz/index.ts';
export type { Authorizer } from './authz/types.ts';
export { cacheKey, keyPrefix, LruCache, SingleFlight, tokenFingerprint } from './cache/index.ts';
export type { CachedAnswer, CacheEvents, EvictionMatch, TokenCache } from './cache/types.ts';
export { applyScopeFilter, buildPrincipal } from './claims/principal.ts';
export type {
  AccessPolicy,
  Claims,
  Permission,
  Principal,
  ScopeFilter,
  VerificationMethod,
} from './claims/types.ts';
export {
  applyEnv,
  type LoadConfigOptions,
  loadConfig,
  parseAuthConfig,
  readConfigFile,
} from './config/load.ts';
export { type AuthConfig, type AuthConfigInput, authConfigSchema } from './config/schema.ts';
export {
  DEFAULT_MESSAGES,
  type ErrorCode,
  type ErrorReason,
  GRPC_STATUS,
  isTokenguardError,
  TokenguardError,
} from './errors/tokenguard-error.ts';
export {
  parseRevocationEventsConfig,
  type RevocationEventsConfig,
  type RevocationEventsInput,
  revocationEventsSchema,
  type SubscribeRevocationsOptions,
  subscribeRevocations,
} from './events/index.ts';
export type {
  RevocationEvent,
  RevocationMetrics,
  RevocationSubscription,
  RevocationTarget,
} from './events/types.ts';
export type { ForwardableRequest, ForwardedRequest } from './introspection/request-forwarding.ts';
export type {
  IntrospectionAnswer,
  IntrospectionTransport,
  IntrospectOptions,
} from './introspection/types.ts';
export { logResponse, requestId, withAccessLog } from './observability/access-log.ts';
export { createLogger, type Logger, localIsoTime, silentLogger } from './observability/logger.ts';
export { type AuthOutcome, createMetrics, type Metrics, noopMetrics } from './observability/metrics.ts';
export { newRequestId, requestIdOf } from './observability/request-id.ts';
export {
  type AuthenticateOptions,
  Authenticator,
  type CheckOptions,
} from './pipeline/authenticator.ts';
export { type AuthenticatorOptions, createAuthenticator } from './pipeline/create-authenticator.ts';
export type { ExtractedToken, RequestLike, TokenSourceKind } from './token/types.ts';

/**
 * @module idp/tokens
 * The IdP's token logic: issuing, refreshing, introspecting and revoking tokens, and RFC 9701 signed
 * introspection responses.
 */

export { callerTenant, type IntrospectionPolicy, mayIntrospect } from './caller-policy.ts';
export {
  type AuthorizationClaims,
  audienceClaim,
  authorizationClaims,
  type ClaimStyle,
} from './claim-layout.ts';
export {
  INTROSPECTION_JWT_MEDIA_TYPE,
  type SignIntrospectionResponseOptions,
  signIntrospectionResponse,
} from './jwt-response.ts';
export { mayRevoke } from './revocation.ts';
export { DefaultTokenService, type DefaultTokenServiceOptions } from './token-service.ts';
export { CLOCK_SKEW_SECONDS, isCurrent } from './token-state.ts';
export type {
  Caller,
  IntrospectRequest,
  IssueRequest,
  Realm,
  TokenResponse,
  TokenService,
} from './types.ts';

/**
 * @module events
 * Revocation events, the subscriber side: a service or gateway subscribes its `Authenticator` to the IdP's
 * revocation events (Redis pub/sub or the IdP's SSE stream) so revoked tokens leave its caches at once.
 * The IdP's side (publishing, the stream endpoint) lives in `idp/events`.
 */
export { applyRevocation, evictionMatch } from './apply.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export {
  DEFAULT_REVOCATION_CHANNEL,
  parseRevocationEventsConfig,
  type RevocationEventsConfig,
  type RevocationEventsInput,
  revocationEventsSchema,
} from './config.ts';
export { parseRevocationEvent, readRevocationEvent, serializeRevocationEvent } from './event-json.ts';
export {
  REVOCATION_CLAIM,
  revocationEventFromClaims,
  revocationSetClaims,
  SESSION_REVOKED,
  SET_TYPE,
  TOKEN_REVOKED,
} from './set.ts';
export { RESET_EVENT, REVOCATION_EVENTS_METADATA, REVOCATION_EVENTS_PATH } from './stream-protocol.ts';
export { type SubscribeRevocationsOptions, subscribeRevocations } from './subscribe.ts';
export type {
  GapReason,
  RevocationEvent,
  RevocationMetrics,
  RevocationPublisher,
  RevocationScope,
  RevocationSubscription,
  RevocationTarget,
  SubscriptionState,
} from './types.ts';

/**
 * @module events/stream-protocol
 * The names both ends of the revocation event stream agree on: the IdP (`idp/events`) and the subscriber
 * (`events/sse-source`). The stream is plain Server-Sent Events (WHATWG HTML §9.2): revocations are
 * unnamed messages (`message`), `id: <event id>`, `data: <SET>`; `reset` is the one named event.
 */

/**
 * The member of the IdP's metadata (RFC 8414 §2 allows more members) naming the stream of its issuer.
 * Not registered: the name is ours, in the style of the registered `*_endpoint` members.
 */
export const REVOCATION_EVENTS_METADATA = 'revocation_events_endpoint';

/** Path of the stream below an issuer identifier. */
export const REVOCATION_EVENTS_PATH = '/events/revocations';

/**
 * The first message of a stream whose `Last-Event-ID` the IdP cannot continue from (evicted from its
 * buffer, never seen, or from before a gap in its own feed): events were missed, the receiver must drop
 * what it cached. Its `id` is the newest position the IdP knows (or empty), to resume from next time.
 */
export const RESET_EVENT = 'reset';

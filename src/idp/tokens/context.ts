/**
 * @module idp/tokens/context
 * What the token operations share: the store, the signing keys, and the time of the request (epoch
 * seconds), read once per operation so every check and every timestamp of one request agree.
 */
import type { RevocationNotifier } from '../events/revocation-events.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { IdpStore } from '../store/types.ts';

export interface TokenContext {
  store: IdpStore;
  keys: KeyManager;
  now: number;
  /** Announces revocations (`idp/events`); absent = revocations are not published. */
  events?: RevocationNotifier;
}

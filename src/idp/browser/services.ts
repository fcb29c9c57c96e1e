/**
 * @module idp/browser/services
 * Making the browser sign-in's services from the IdP config (`idp.browser`), the store and the key manager.
 */
import type { IdpConfig } from '../config/schema.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { IdpStore } from '../store/types.ts';
import { newCsrfSecret } from '../web/csrf.ts';
import { SessionStore } from '../web/session.ts';
import { SignInThrottle } from '../web/throttle.ts';
import { CodeSealer } from './code.ts';
import type { BrowserServices } from './types.ts';

export function createBrowserServices(
  config: IdpConfig['browser'],
  store: IdpStore,
  keys: KeyManager,
): BrowserServices {
  return {
    sessions: new SessionStore({
      idleTimeoutMs: config.sessionIdleTimeout,
      absoluteTimeoutMs: config.sessionMaxAge,
      maxSessions: config.maxSessions,
    }),
    throttle: new SignInThrottle({
      accountFreeFailures: config.signInFreeFailures,
      maxDelayMs: config.signInMaxDelay,
    }),
    csrfSecret: newCsrfSecret(),
    codes: new CodeSealer(store, keys),
    keys,
  };
}

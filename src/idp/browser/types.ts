/**
 * @module idp/browser/types
 * What the browser sign-in needs beyond the protocol endpoints' services, made once by `createIdp`: the
 * session store, the sign-in throttle, the CSRF secret, the sealing of authorization codes and the signing
 * keys of ID tokens. Sessions, throttle counts and the CSRF secret live in the process (replicas need
 * sticky sessions); codes and ID tokens use the tenant keys of the shared store, so any replica redeems a
 * code another one issued.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdpServices } from '../endpoints/types.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { BrowserEndpoint, BrowserRoute } from '../tenants/profiles.ts';
import type { Realm } from '../tokens/types.ts';
import type { SessionStore } from '../web/session.ts';
import type { SignInThrottle } from '../web/throttle.ts';
import type { CodeSealer } from './code.ts';

export interface BrowserServices {
  sessions: SessionStore;
  throttle: SignInThrottle;
  /** HMAC key of the pages' CSRF tokens (per process). */
  csrfSecret: Buffer;
  codes: CodeSealer;
  /** The tenant keys: ID tokens are signed with the active one (OIDC Core §2). */
  keys: Pick<KeyManager, 'activeKey' | 'verificationKey'>;
}

/** One browser request, resolved: its route, realm and the absolute URLs of the tenant's browser endpoints. */
export interface PageRequest {
  request: IncomingMessage;
  response: ServerResponse;
  services: IdpServices;
  browser: BrowserServices;
  route: BrowserRoute;
  realm: Realm;
  urls: Partial<Record<BrowserEndpoint, string>>;
  /** The raw query string (after `?`), '' when none. */
  query: string;
  /** Cookies get `Secure` and `__Host-` names: the IdP is served over HTTPS (its base URL). */
  secure: boolean;
}

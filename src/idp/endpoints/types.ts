/**
 * @module idp/endpoints/types
 * What an endpoint handler sees and returns. The router does the HTTP work (routing, method checks, the
 * form body, writing the answer); handlers are async functions from an `IdpRequest` to an `IdpResponse`,
 * which keeps them free of node:http and easy to test.
 */

import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { JWK } from 'jose';
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BrowserServices } from '../browser/types.ts';
import type { CallerAuthenticator } from '../clients/authenticate-caller.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { RevocationEvents } from '../events/revocation-events.ts';
import type { IdpStore } from '../store/types.ts';
import type { Route } from '../tenants/profiles.ts';
import type { Realm, TokenService } from '../tokens/types.ts';
import type { RateLimiter } from './rate-limit.ts';

/** The client certificate of a TLS connection (RFC 8705 §2), when one was presented. */
export interface PeerCertificate {
  certificate: X509Certificate;
  /** It chains to the configured CA (`idp.tls.ca`). */
  authorized: boolean;
}

export interface IdpRequest {
  method: string;
  route: Route;
  realm: Realm;
  /** Base URL of the server (issuer of the root tenant), without a terminating slash. */
  base: string;
  /** Absolute URL of the endpoint called (an accepted `aud` of client assertions, RFC 7523 §3). */
  endpointUrl: string;
  headers: IncomingHttpHeaders;
  /** Form parameters of a POST (RFC 6749 §3.1: no repeats, empty values omitted); empty for GET. */
  form: ReadonlyMap<string, string>;
  /** Client certificate, on a TLS connection that presented one. */
  peer: PeerCertificate | undefined;
  remoteAddress: string;
}

export interface IdpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The signing keys as endpoints need them (implemented by `KeyManager`). */
export interface PublicKeys {
  jwks(tenant: string): Promise<{ keys: JWK[] }>;
}

/** RFC 9701 signing of an introspection answer (implemented by `tokens/jwt-response`). */
export type SignIntrospection = (input: {
  realm: Realm;
  answer: IntrospectionAnswer;
  audience: string;
}) => Promise<string>;

/** Everything the endpoints share. */
export interface IdpServices {
  config: IdpConfig;
  store: IdpStore;
  tokens: TokenService;
  keys: PublicKeys;
  signIntrospection: SignIntrospection;
  callers: CallerAuthenticator;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Verifies a jwt-bearer assertion issued by a trusted other issuer; undefined when none is trusted. */
  externalAssertions?: (assertion: string) => Promise<{ subject: string } | undefined>;
  /** Whether the server speaks TLS (tls_client_auth is offered then). */
  tls: boolean;
  /** Browser sign-in (`idp/browser`): sessions, CSRF secret, code sealing, ID token keys; set by createIdp. */
  browser?: BrowserServices;
  /** Revokes a whole grant and announces it (revocation events); set by createIdp. */
  revocations?: Pick<RevocationEvents, 'revokeFamily'>;
}

export type Handler = (request: IdpRequest, services: IdpServices) => Promise<IdpResponse>;

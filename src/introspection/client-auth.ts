/**
 * @module introspection/client-auth
 * How we authenticate to the IdP. RFC 7662 §2.1 requires the introspection endpoint to demand "some form
 * of authorization"; this module turns `auth.introspection.clientAuth` into one `ClientAuth` that adds those
 * credentials to a request. Configuration mistakes surface at startup as `configInvalid`.
 */
import { createHash } from 'node:crypto';
import type { AuthConfig, clientAuthMethods } from '../config/schema.ts';
import type { MetadataSource } from '../discovery/types.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import type { HttpClient } from '../util/http-client.ts';
import {
  type AssertionOptions,
  JWT_BEARER_ASSERTION_TYPE,
  loadSecretKey,
  loadSigningKey,
  signClientAssertion,
} from './client-assertion.ts';
import { basicCredentials, ClientCredentialsToken, isBearerToken } from './client-credentials.ts';

export type ClientAuthMethod = (typeof clientAuthMethods)[number];

type IntrospectionConfig = AuthConfig['introspection'];

/** The parts of an introspection request that credentials go into. Header names are lower case. */
export interface ClientAuthRequest {
  headers: Record<string, string>;
  params: URLSearchParams;
}

export interface ClientAuth {
  readonly method: ClientAuthMethod;
  /**
   * Who we are to the IdP, e.g. `client_secret_basic:my-client`; never a secret. Part of the transport id
   * and so of cache keys: the IdP may answer differently per caller (RFC 7662 §2.2).
   */
  readonly identity: string;
  /** Whether `invalidate()` can lead to different credentials (only `client_credentials`). */
  readonly refreshable: boolean;
  /** Adds our credentials to one request sent to `endpoint`. */
  apply(request: ClientAuthRequest, endpoint: string): Promise<void>;
  /** Forgets obtained credentials after the IdP refused them; false when nothing was dropped. */
  invalidate(): boolean;
}

export interface ClientAuthDeps {
  http: HttpClient;
  metadata: MetadataSource;
  /** Issuer whose metadata names the token endpoint; defaults to `auth.introspection.issuer`. */
  issuerUrl?: string;
  now?: () => number;
  /** Reads the private key file of `private_key_jwt` (tests may inject). */
  readFile?: (path: string) => string;
}

/** The configured method, or the one implied by the keys set: a token → bearer, id + secret → basic. */
export function resolveClientAuthMethod(clientAuth: IntrospectionConfig['clientAuth']): ClientAuthMethod {
  if (clientAuth.method) return clientAuth.method;
  if (clientAuth.accessToken) return 'bearer';
  if (clientAuth.clientId && clientAuth.clientSecret) return 'client_secret_basic';
  return 'none';
}

const PATH = 'auth.introspection.clientAuth';

function required(value: string, key: string, method: ClientAuthMethod): string {
  if (!value) throw configInvalid(`${PATH}.${key}`, `is required for ${method}`);
  return value;
}

/** Credentials that never change: nothing to invalidate. */
function fixed(
  method: ClientAuthMethod,
  identity: string,
  apply: (request: ClientAuthRequest, endpoint: string) => void | Promise<void>,
): ClientAuth {
  return {
    method,
    identity,
    refreshable: false,
    apply: async (request, endpoint) => apply(request, endpoint),
    invalidate: () => false,
  };
}

export function createClientAuth(
  config: Pick<IntrospectionConfig, 'clientAuth' | 'accessTokenScope' | 'issuer' | 'tls'>,
  deps: ClientAuthDeps,
): ClientAuth {
  const auth = config.clientAuth;
  const method = resolveClientAuthMethod(auth);
  const now = deps.now ?? Date.now;
  switch (method) {
    case 'none':
      return fixed(method, 'none', () => {});
    case 'client_secret_basic': {
      // RFC 6749 §2.3.1: the Authorization header; the only method an AS MUST support for secrets.
      const header = basicCredentials(
        required(auth.clientId, 'clientId', method),
        required(auth.clientSecret, 'clientSecret', method),
      );
      return fixed(method, `${method}:${auth.clientId}`, (request) => {
        request.headers.authorization = header;
      });
    }
    case 'client_secret_post': {
      // RFC 6749 §2.3.1: in the request body, never the URI.
      const clientId = required(auth.clientId, 'clientId', method);
      const clientSecret = required(auth.clientSecret, 'clientSecret', method);
      return fixed(method, `${method}:${clientId}`, (request) => {
        request.params.set('client_id', clientId);
        request.params.set('client_secret', clientSecret);
      });
    }
    case 'bearer': {
      // RFC 7662 §2.1 allows "a separate OAuth 2.0 access token", sent as RFC 6750 §2.1 prescribes.
      const token = required(auth.accessToken, 'accessToken', method);
      if (!isBearerToken(token)) {
        throw configInvalid(`${PATH}.accessToken`, 'is not a bearer token (RFC 6750 §2.1 characters)');
      }
      // A fingerprint tells two static tokens apart without revealing either.
      const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 12);
      return fixed(method, `${method}:sha256=${fingerprint}`, (request) => {
        request.headers.authorization = `Bearer ${token}`;
      });
    }
    case 'client_credentials':
      return clientCredentials(config, deps, now);
    case 'private_key_jwt': {
      const clientId = required(auth.clientId, 'clientId', method);
      const signingKey = loadSigningKey(auth.privateKey, auth.privateKeyAlg, deps.readFile);
      return assertion(method, {
        clientId,
        signingKey,
        algorithm: auth.privateKeyAlg,
        keyId: auth.keyId,
        now,
      });
    }
    case 'client_secret_jwt': {
      // OpenID Connect Core §9: the same assertion, MACed with the client secret; no `kid` (one key).
      const clientId = required(auth.clientId, 'clientId', method);
      const signingKey = loadSecretKey(
        required(auth.clientSecret, 'clientSecret', method),
        auth.secretJwtAlg,
      );
      return assertion(method, { clientId, signingKey, algorithm: auth.secretJwtAlg, now });
    }
    case 'tls_client_auth': {
      // RFC 8705 §2: the certificate authenticates us (HttpClient TLS options); client_id names us.
      const clientId = required(auth.clientId, 'clientId', method);
      if (!config.tls.clientCert || !config.tls.clientKey) {
        throw configInvalid(
          'auth.introspection.tls.clientCert',
          'and clientKey are required for tls_client_auth',
        );
      }
      return fixed(method, `${method}:${clientId}`, (request) => {
        request.params.set('client_id', clientId);
      });
    }
  }
}

/**
 * A JWT assertion per request (RFC 7523 §2.2), in the form, never a header. `aud` is the endpoint the
 * assertion is sent to (§3 allows the endpoint URL), so it cannot be replayed at another endpoint.
 */
function assertion(method: ClientAuthMethod, options: AssertionOptions): ClientAuth {
  return fixed(method, `${method}:${options.clientId}`, async (request, endpoint) => {
    request.params.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    request.params.set('client_assertion', await signClientAssertion(options, endpoint));
  });
}

/** Our own access token (RFC 6749 §4.4), presented as a bearer token (RFC 6750 §2.1). */
function clientCredentials(
  config: Pick<IntrospectionConfig, 'clientAuth' | 'accessTokenScope' | 'issuer'>,
  deps: ClientAuthDeps,
  now: () => number,
): ClientAuth {
  const method = 'client_credentials';
  const auth = config.clientAuth;
  const issuerUrl = deps.issuerUrl || config.issuer;
  if (!auth.tokenEndpoint && !issuerUrl) {
    throw configInvalid(`${PATH}.tokenEndpoint`, 'is required for client_credentials when no issuer is set');
  }
  const token = new ClientCredentialsToken({
    clientId: required(auth.clientId, 'clientId', method),
    clientSecret: required(auth.clientSecret, 'clientSecret', method),
    scopes: config.accessTokenScope,
    tokenEndpoint: auth.tokenEndpoint,
    issuerUrl,
    http: deps.http,
    metadata: deps.metadata,
    now,
  });
  return {
    method,
    identity: token.scope ? `${method}:${auth.clientId} scope=${token.scope}` : `${method}:${auth.clientId}`,
    refreshable: true,
    async apply(request) {
      request.headers.authorization = `Bearer ${await token.get()}`;
    },
    invalidate: () => token.invalidate(),
  };
}

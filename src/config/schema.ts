/**
 * @module config/schema
 * The one configuration schema of the library (the `auth` section of a service's config file). Every key
 * has a default and a description; `docs/CONFIG.md` is generated from this file (`npm run docs:config`) and
 * a test fails when the two drift. The keys of go-authkit (seed 000) are accepted as they are.
 */
import { z } from 'zod';
import { duration, optionalDuration } from './duration-schema.ts';

export { duration } from './duration-schema.ts';

import { sharedCacheSchema } from '../cache/shared-cache-config.ts';
import { revocationEventsSchema } from '../events/config.ts';

const url = () =>
  z.string().refine((value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

const optionalUrl = () => z.union([z.literal(''), url()]).default('');

const maxEntries = (fallback: number) => z.number().int().nonnegative().default(fallback);

export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const algorithm = z.enum(JWT_ALGORITHMS);

const tlsFiles = z
  .object({
    caCert: z.string().default('').describe('PEM file of the CA that signed the server certificate.'),
    clientCert: z.string().default('').describe('PEM client certificate for mutual TLS (with clientKey).'),
    clientKey: z.string().default('').describe('PEM private key of clientCert.'),
    rejectUnauthorized: z.boolean().default(true).describe('Verify the server certificate. Leave on.'),
  })
  .strict();

const tokenSource = (enabled: boolean, name: string, what: string) =>
  z
    .object({
      enabled: z.boolean().default(enabled).describe(`Read the token from ${what}.`),
      name: z.string().min(1).default(name).describe(`Name of the ${what}.`),
    })
    .strict()
    .prefault({});

const cacheSection = (enabled: boolean, entries: number, ttl: string, what: string) =>
  z
    .object({
      enabled: z.boolean().default(enabled).describe(`Cache ${what}.`),
      maxEntries: maxEntries(entries).describe('Upper bound on entries (least recently used go first).'),
      ttl: duration(ttl).describe(`Longest time ${what} stay cached (never past the token's exp).`),
    })
    .strict()
    .prefault({});

export const clientAuthMethods = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'bearer',
  'client_credentials',
  'private_key_jwt',
  'client_secret_jwt',
  'tls_client_auth',
] as const;

export const authConfigSchema = z
  .object({
    errorDomain: z.string().default('tokenguard').describe('`domain` of error bodies (seed 000: MyService).'),
    realm: z.string().default('').describe('realm of WWW-Authenticate challenges; empty = errorDomain.'),
    messages: z
      .object({
        bearerTokenMissing: z
          .string()
          .optional()
          .describe('Message of the bearerTokenMissing body: no token (401).'),
        invalidRequest: z
          .string()
          .optional()
          .describe('Message of the invalidRequest body: malformed request (400).'),
        authenticationFailed: z
          .string()
          .optional()
          .describe('Message of the authenticationFailed body: bad token (401).'),
        authorizationFailed: z
          .string()
          .optional()
          .describe('Message of the authorizationFailed body: failed authorization (403).'),
        serviceUnavailable: z
          .string()
          .optional()
          .describe('Message of the serviceUnavailable body: IdP unavailable (503).'),
      })
      .strict()
      .prefault({})
      .describe('Override the message of an error code in response bodies.'),
    tokenSources: z
      .object({
        header: z
          .object({
            enabled: z.boolean().default(true).describe('Read the token from a request header.'),
            name: z
              .string()
              .min(1)
              .default('Authorization')
              .describe('Header name (Traefik tokenSource.header).'),
            scheme: z
              .string()
              .default('Bearer')
              .describe('Auth scheme before the token, matched case-insensitively; empty = whole value.'),
          })
          .strict()
          .prefault({}),
        query: tokenSource(false, 'access_token', 'query parameter (RFC 6750 §2.3)'),
        cookie: tokenSource(false, 'access_token', 'cookie'),
        body: tokenSource(false, 'access_token', 'form-encoded body parameter (RFC 6750 §2.2)'),
      })
      .strict()
      .prefault({}),
    httpClient: z
      .object({
        requestTimeout: duration('5s').describe(
          'Timeout of one call to the IdP (discovery, JWKS, introspection).',
        ),
        retries: z
          .number()
          .int()
          .min(0)
          .max(5)
          .default(1)
          .describe('Retries after connect errors, 5xx and 429 (with jittered backoff).'),
        retryBackoff: duration('100ms').describe('First retry delay; doubles each retry, with jitter.'),
        connections: z
          .number()
          .int()
          .positive()
          .default(64)
          .describe('Keep-alive connections per IdP origin.'),
      })
      .strict()
      .prefault({}),
    jwt: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Verify JWTs locally when introspection is not used for them.'),
        trustedIssuers: z
          .record(z.string(), url())
          .default({})
          .describe('Map of `iss` value to issuer URL (for discovery), as go-authkit.'),
        trustedIssuerUrls: z
          .array(z.string())
          .default([])
          .describe('Trusted issuer URLs; the host may be a glob (`https://*.example.com/idp`).'),
        jwksUri: z
          .record(z.string(), url())
          .default({})
          .describe('Map of issuer URL to JWKS URL, skipping discovery for that issuer.'),
        algorithms: z
          .array(algorithm)
          .nonempty()
          .default([...JWT_ALGORITHMS])
          .describe('Allowed `alg` values.'),
        requireAudience: z.boolean().default(false).describe('Reject tokens without `aud`.'),
        expectedAudience: z.array(z.string()).default([]).describe('Accepted `aud` values (globs allowed).'),
        requireType: z
          .string()
          .default('')
          .describe('Required JOSE `typ` (`at+jwt` enforces RFC 9068); empty = any.'),
        leeway: duration('0s').describe('Clock skew allowed for exp, nbf and iat.'),
        claimsCache: z
          .object({
            enabled: z
              .boolean()
              .default(true)
              .describe('Cache verified JWT claims (skips the signature check).'),
            maxEntries: maxEntries(10_000).describe('Upper bound on cached tokens.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    jwks: z
      .object({
        cache: z
          .object({
            updateMinInterval: duration('1m').describe('Cooldown between JWKS re-fetches on an unknown kid.'),
            ttl: duration('1h').describe('How long a fetched JWKS is used before it is fetched again.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    introspection: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Introspect tokens (RFC 7662). Implied by endpoint or grpc.endpoint.'),
        endpoint: optionalUrl().describe('Static introspection endpoint; wins over discovery (seed 000).'),
        issuer: optionalUrl().describe('Issuer of the static endpoint (its JWKS verifies RFC 9701 answers).'),
        tokenTypeHint: z
          .string()
          .default('')
          .describe('token_type_hint sent with each request; empty = none.'),
        accept: z
          .enum(['json', 'jwt'])
          .default('json')
          .describe('`jwt` asks for RFC 9701 signed answers (application/token-introspection+jwt).'),
        audience: z
          .string()
          .default('')
          .describe('Expected `aud` of RFC 9701 answers; empty = the client id.'),
        clientAuth: z
          .object({
            method: z
              .enum(clientAuthMethods)
              .optional()
              .describe(
                'How we authenticate to the IdP; default from the keys set (token → bearer, id → basic).',
              ),
            clientId: z.string().default('').describe('Our client id at the IdP.'),
            clientSecret: z
              .string()
              .default('')
              .describe('Our client secret (basic, post, client_credentials, client_secret_jwt).'),
            accessToken: z.string().default('').describe('Static bearer token for the `bearer` method.'),
            tokenEndpoint: optionalUrl().describe(
              'Token endpoint for `client_credentials`; default: discovery.',
            ),
            privateKey: z.string().default('').describe('PEM file or JWK (JSON) for `private_key_jwt`.'),
            privateKeyAlg: algorithm
              .default('RS256')
              .describe('Signing algorithm of private_key_jwt assertions.'),
            keyId: z.string().default('').describe('`kid` of privateKey.'),
            secretJwtAlg: z
              .enum(['HS256', 'HS384', 'HS512'])
              .default('HS256')
              .describe(
                'HMAC algorithm of client_secret_jwt assertions; the secret needs as many bytes as the hash.',
              ),
          })
          .strict()
          .prefault({}),
        accessTokenScope: z
          .array(z.string())
          .default([])
          .describe('Scopes requested for our own access token (client_credentials).'),
        tls: tlsFiles.prefault({}).describe('TLS to the introspection endpoint (mTLS: tls_client_auth).'),
        headers: z.record(z.string(), z.string()).default({}).describe('Extra headers sent with each call.'),
        params: z
          .record(z.string(), z.string())
          .default({})
          .describe('Extra form parameters sent with each call.'),
        scopeFilter: z
          .array(z.object({ rn: z.string().min(1) }).strict())
          .default([])
          .describe('Keep only access policies of these resource namespaces (go-authkit scope_filter).'),
        claimsCache: z
          .object({
            enabled: z.boolean().default(true).describe('Cache active introspection answers.'),
            maxEntries: maxEntries(10_000).describe('Upper bound on entries (least recently used go first).'),
            ttl: duration('1m').describe(
              "Longest time an active answer stays fresh (Kong cache_ttl_max); never past the token's exp.",
            ),
            minTtl: duration('0s').describe(
              "Shortest time an active answer stays fresh (Kong cache_ttl_min); never past the token's exp.",
            ),
            defaultTtl: optionalDuration().describe(
              'Freshness of an answer without `exp` (Kong cache_ttl); empty = ttl.',
            ),
          })
          .strict()
          .refine((cache) => cache.minTtl <= cache.ttl, {
            message: 'must not exceed ttl',
            path: ['minTtl'],
          })
          .prefault({}),
        staleIfError: duration('0s').describe(
          "How long past its freshness an active answer may still be served when the IdP is unavailable (503), never past the token's exp; 0s = off (Kong cache_ttl_resurrect).",
        ),
        forwardHeaders: z
          .array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name (RFC 9110 §5.1)'))
          .default([])
          .describe(
            "Names of the client request's headers copied to each introspection call (Kong introspection_headers_client); part of the cache key.",
          ),
        forwardParams: z
          .array(z.string().min(1))
          .default([])
          .describe(
            "Names of the client request's query parameters copied as form parameters (Kong introspection_post_args_client); part of the cache key.",
          ),
        requestContext: z
          .boolean()
          .default(false)
          .describe(
            "Send the client request's path and method as X-Request-Path and X-Request-Http-Method (Kong introspect_request); part of the cache key.",
          ),
        negativeCache: cacheSection(false, 1_000, '10s', 'inactive answers (off by default: DoS risk)'),
        endpointDiscoveryCache: cacheSection(true, 1_000, '1h', 'discovered introspection endpoints'),
        grpc: z
          .object({
            endpoint: z
              .string()
              .default('')
              .describe('host:port of a gRPC introspection service; wins over HTTP.'),
            requestTimeout: duration('5s').describe('Deadline of one gRPC call.'),
            tls: z
              .object({
                enabled: z.boolean().default(false).describe('Use TLS for the gRPC channel.'),
                caCert: z.string().default('').describe('PEM file of the CA of the gRPC server.'),
                clientCert: z
                  .string()
                  .default('')
                  .describe('PEM client certificate: mTLS when clientKey is set too.'),
                clientKey: z.string().default('').describe('PEM private key of clientCert.'),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    revocationEvents: revocationEventsSchema.describe(
      'Evict revoked tokens from the caches as soon as the IdP announces it (Redis pub/sub or its SSE stream).',
    ),
    sharedCache: sharedCacheSchema().describe(
      'Share introspection answers between replicas through Redis (an in-process tier stays in front).',
    ),
    grpcClient: z
      .object({
        requestTimeout: duration('5s').describe('go-authkit key; same as introspection.grpc.requestTimeout.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The `auth` section as written (input) and as used (output, durations in milliseconds). */
export type AuthConfigInput = z.input<typeof authConfigSchema>;
export type AuthConfig = z.output<typeof authConfigSchema>;

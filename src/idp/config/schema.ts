/**
 * @module idp/config/schema
 * The configuration schema of the identity provider (the `idp` section of its config file), in the style of
 * the library's `auth` schema: zod, every key with a default and a description, durations written `30s` /
 * `1h` and parsed to milliseconds, unknown keys rejected. Tenants, clients and users can be declared here;
 * they are applied to the store at every start (see `idp/config/apply`).
 */
import { z } from 'zod';
import { duration, JWT_ALGORITHMS } from '../../config/schema.ts';
import { idpEventsSchema } from '../events/config.ts';
import { DEFAULT_TENANT } from '../model.ts';
import { POSTGRES_URL, postgresUrlProblem } from '../store/postgres-settings.ts';
import { PROFILES } from '../tenants/profiles.ts';
import { TENANT_ID_PATTERN } from '../tenants/tenant-id.ts';

/**
 * Signing algorithms of the IdP's keys, access tokens and RFC 9701 answers: asymmetric only, so that the
 * public JWKS is all a resource server needs (RFC 9068 §2.1 and RFC 9701 §5 default to RS256).
 */
export const SIGNING_ALGORITHMS = JWT_ALGORITHMS.filter(
  (alg): alg is Exclude<(typeof JWT_ALGORITHMS)[number], 'Ed25519'> => alg !== 'Ed25519',
);

export const GRANT_TYPES = [
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'password',
  'authorization_code',
] as const;

/** Client authentication methods a client may be registered with (RFC 7591 §2 names). */
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
] as const;

const tenantId = () =>
  z
    .string()
    .regex(TENANT_ID_PATTERN, 'must be a tenant id: lower-case letters, digits, ".", "_", "-" (max 63)')
    .default(DEFAULT_TENANT);

/** Client ids and user names: visible ASCII without spaces (RFC 6749 Appendix A.1 VSCHAR, minus space). */
const identifier = (what: string) =>
  z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, `a ${what} is visible ASCII without spaces`);

/**
 * A registered redirect URI (RFC 6749 §3.1.2): absolute, no fragment; `http` only on loopback hosts
 * (RFC 9700 §2.6 / RFC 8252 §7.3), private-use schemes of native apps (RFC 8252 §7.1) allowed.
 */
const redirectUri = z
  .string()
  .max(2000)
  .refine(
    isRedirectUri,
    'must be an absolute URL without fragment; http only for 127.0.0.1, [::1] or localhost',
  );

function isRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (value.includes('#') || /[\s]/.test(value)) return false;
  if (url.protocol === 'http:') return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  return url.protocol === 'https:' || /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol);
}

const accessPolicy = z
  .object({
    tid: z.string().optional().describe('Tenant id.'),
    tuid: z.string().optional().describe('Tenant UUID.'),
    rs: z.string().optional().describe('Resource server.'),
    rn: z.string().optional().describe('Resource namespace (`my_service`).'),
    rp: z.string().optional().describe('Resource path.'),
    role: z.string().optional().describe('Role name (`admin`).'),
  })
  .strict();

const policies = (what: string) => z.array(accessPolicy).default([]).describe(what);

/** Keycloak UMA permission (seed 001): any JSON members, typically resource_id / resource_name / scopes. */
const permissions = z
  .array(z.record(z.string(), z.unknown()))
  .default([])
  .describe('Keycloak-style permissions returned for token_type_hint=requesting_party_token.');

export const tenantSchema = z
  .object({
    id: z
      .string()
      .regex(TENANT_ID_PATTERN, 'must be a tenant id: lower-case letters, digits, ".", "_", "-" (max 63)')
      .describe('Tenant (realm) id, used in paths: /t/<id>/oauth2/…, /realms/<id>/….'),
    displayName: z.string().default('').describe('Human-readable name; empty = the id.'),
    allowCrossTenantIntrospection: z
      .boolean()
      .default(false)
      .describe('Callers of other tenants may introspect its tokens (WSO2 allow_cross_tenant).'),
  })
  .strict();

export const clientSchema = z
  .object({
    id: identifier('client id').describe('client_id.'),
    tenant: tenantId().describe('Tenant of the client.'),
    secret: z
      .string()
      .min(1)
      .optional()
      .describe('Client secret (stored hashed); enables client_secret_basic and client_secret_post.'),
    name: z.string().default('').describe('Display name; empty = the id.'),
    description: z.string().default('').describe('Free text.'),
    authMethods: z
      .array(z.enum(CLIENT_AUTH_METHODS))
      .default([])
      .describe('Allowed authentication methods; empty = every method its credentials allow.'),
    jwks: z
      .object({
        keys: z
          .array(z.record(z.string(), z.unknown()))
          .min(1)
          .describe('Public JWKs (RFC 7517) that verify its assertions.'),
      })
      .strict()
      .optional()
      .describe('Public keys for private_key_jwt (RFC 7523).'),
    tlsSubjectDn: z
      .string()
      .min(1)
      .optional()
      .describe('Certificate subject DN for tls_client_auth (RFC 8705 §2.1.2), e.g. `CN=svc,O=Acme`.'),
    grantTypes: z
      .array(z.enum(GRANT_TYPES))
      .default(['client_credentials'])
      .describe('Grant types the client may use.'),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
      .default([])
      .describe('Scopes it may request.'),
    audience: z.array(z.string().min(1)).default([]).describe('`aud` of its tokens; empty = the issuer.'),
    tokenFormat: z
      .enum(['jwt', 'opaque'])
      .optional()
      .describe('Access token format; default idp.tokens.format.'),
    accessTokenTtl: duration('0s').describe('Access token lifetime; 0 = idp.tokens.accessTokenTtl.'),
    refreshTokenTtl: duration('0s').describe(
      'Refresh token lifetime (with the refresh_token grant only); 0 = idp.tokens.refreshTokenTtl.',
    ),
    policies: policies('Access policies written into its tokens (`scope` array of seed 000).'),
    introspectionPolicies: policies('Access policies added only by introspection (seed 000 admin2).'),
    permissions,
    canIntrospect: z.boolean().default(false).describe('May introspect any token of its tenant.'),
    disabled: z.boolean().default(false).describe('Refuse every authentication of the client.'),
    public: z
      .boolean()
      .default(false)
      .describe(
        'Public client (RFC 6749 §2.1: a browser or native app, no secret): authenticates by client_id alone (method none), authorization_code with PKCE and refresh_token only.',
      ),
    redirectUris: z
      .array(redirectUri)
      .default([])
      .describe(
        'authorization_code: redirect URIs, matched exactly (no prefix or wildcard, RFC 9700 §4.1.3).',
      ),
    postLogoutRedirectUris: z
      .array(redirectUri)
      .default([])
      .describe(
        'Where the logout endpoint may return the browser to (OIDC RP-Initiated Logout), matched exactly.',
      ),
    firstParty: z
      .boolean()
      .default(false)
      .describe("The deployment's own application: users are not asked for consent."),
  })
  .strict()
  .superRefine((client, ctx) => {
    if (client.public) {
      for (const message of publicClientIssues(client)) ctx.addIssue({ code: 'custom', path: [], message });
    }
    if (client.grantTypes.includes('authorization_code') && client.redirectUris.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['redirectUris'],
        message: 'the authorization_code grant needs at least one redirect URI',
      });
    }
  });

export const userSchema = z
  .object({
    username: identifier('user name').describe('User name (Basic user `name` or `name@tenant`).'),
    tenant: tenantId().describe('Tenant of the user.'),
    password: z.string().min(1).describe('Password (stored as scrypt hash).'),
    policies: policies('Access policies written into the user’s tokens.'),
    introspectionPolicies: policies('Access policies added only by introspection.'),
    permissions,
    canIntrospect: z
      .boolean()
      .default(false)
      .describe('May call the introspection endpoint with HTTP Basic (WSO2 style).'),
    admin: z.boolean().default(false).describe('Administrator of its tenant (may revoke any token).'),
    disabled: z.boolean().default(false).describe('Refuse every authentication of the user.'),
    name: z.string().max(255).default('').describe('Full name (OIDC `name`, scope profile); empty = none.'),
    email: z
      .string()
      .max(255)
      .regex(/^$|^[^\s@]+@[^\s@]+$/, 'must be an email address')
      .default('')
      .describe('Email address (OIDC `email`, scope email); empty = none.'),
  })
  .strict();

export const staticTokenSchema = z
  .object({
    token: z
      .string()
      .min(1)
      .describe('The bearer token value (seed 000: access-token-with-introspection-permission).'),
    tenant: tenantId().describe('Tenant whose tokens it may introspect.'),
    name: z.string().default('').describe('Name in logs and rate limits; empty = static-<index>.'),
  })
  .strict();

/** What is wrong with a public client's declaration: credentials, or grants a public client cannot use. */
function publicClientIssues(client: {
  secret?: string;
  jwks?: unknown;
  tlsSubjectDn?: string;
  authMethods: string[];
  grantTypes: string[];
}): string[] {
  const issues: string[] = [];
  if (client.secret || client.jwks || client.tlsSubjectDn || client.authMethods.length) {
    issues.push('a public client has no secret, jwks, tlsSubjectDn or authMethods');
  }
  if (client.grantTypes.some((grant) => grant !== 'authorization_code' && grant !== 'refresh_token')) {
    issues.push('a public client may only use the authorization_code and refresh_token grants');
  }
  return issues;
}

/** `sqlite`, `memory`, `sqlite:<file>` or a PostgreSQL URL. */
function isStoreSpec(value: string): boolean {
  return (
    value === 'sqlite' ||
    value === 'memory' ||
    (value.startsWith('sqlite:') && value.length > 'sqlite:'.length) ||
    POSTGRES_URL.test(value)
  );
}

function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // RFC 8414 §2: a URL without query and fragment.
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      !url.search &&
      !url.hash &&
      !value.includes('#')
    );
  } catch {
    return false;
  }
}

export const idpConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on.'),
    port: z.number().int().min(0).max(65535).default(8081).describe('Port to listen on; 0 = any free port.'),
    issuer: z
      .string()
      .default('')
      .refine(
        (value) => value === '' || isIssuerUrl(value),
        'must be an http(s) URL without query or fragment',
      )
      .describe('Base issuer URL; empty = http(s)://<host>:<port> as bound.'),
    dataDir: z.string().min(1).default('.data').describe('Directory of the SQLite store.'),
    store: z
      .string()
      .default('sqlite')
      .refine(isStoreSpec, 'must be sqlite, memory, sqlite:<file> or a postgres:// URL')
      .superRefine((value, ctx) => {
        // The URL's own parameters are checked here, at load time; the message never holds the password.
        const problem = POSTGRES_URL.test(value) ? postgresUrlProblem(value) : undefined;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        'Store: `sqlite` (file in dataDir), `memory`, `sqlite:<file>`, or PostgreSQL for several replicas: ' +
          '`postgres://user:password@host:port/db?schema=…` (parameters schema, max, idleTimeout, ' +
          'connectTimeout, statementTimeout, keyRefresh: see docs/IDP.md).',
      ),
    profiles: z
      .array(z.enum(PROFILES))
      .nonempty()
      .default(['standard', 'keycloak', 'authkit'])
      .refine((list) => new Set(list).size === list.length, 'lists a profile twice')
      .describe('Path layouts served; the first one is described by the root discovery document.'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level (JSON lines on stdout).'),
    tokens: z
      .object({
        format: z.enum(['jwt', 'opaque']).default('jwt').describe('Default access token format.'),
        accessTokenTtl: duration('1h').describe('Default access token lifetime.'),
        refreshTokenTtl: duration('24h').describe('Default refresh token lifetime.'),
        algorithm: z.enum(SIGNING_ALGORITHMS).default('RS256').describe('Signing algorithm of new keys.'),
      })
      .strict()
      .prefault({}),
    legacy: z
      .object({
        passwordGrant: z
          .boolean()
          .default(false)
          .describe('Enable the password grant (RFC 9700 §2.4: MUST NOT be used; legacy clients only).'),
      })
      .strict()
      .prefault({}),
    clientAuth: z
      .object({
        assertionMaxLifetime: duration('5m').describe(
          'Longest exp - now accepted in a private_key_jwt assertion (RFC 7523 §3).',
        ),
        clockTolerance: duration('30s').describe('Clock skew allowed when checking client assertions.'),
      })
      .strict()
      .prefault({}),
    introspection: z
      .object({
        staticTokens: z
          .array(staticTokenSchema)
          .default([])
          .describe('Static bearer tokens allowed to introspect tokens of their tenant.'),
        rateLimit: z
          .object({
            perCaller: z
              .number()
              .int()
              .nonnegative()
              .default(6000)
              .describe('Requests per minute per caller (introspection, revocation); 0 = no limit.'),
            burst: z.number().int().positive().default(200).describe('Requests a caller may make at once.'),
          })
          .strict()
          .prefault({}),
        errorStyle: z
          .enum(['oauth', 'wso2'])
          .default('oauth')
          .describe(
            'Body of a missing-token error on the standard profile: `oauth` (RFC 6749 invalid_request) or `wso2` ({"error":"Invalid input"}).',
          ),
      })
      .strict()
      .prefault({}),
    jwtBearer: z
      .object({
        trustedIssuerUrls: z
          .array(z.string().refine(isIssuerUrl, 'must be an http(s) URL'))
          .default([])
          .describe('Other issuers whose JWT access tokens are accepted as jwt-bearer assertions.'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024)
          .describe('Largest request body; larger ones get 413.'),
        maxHeaderBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024)
          .describe('Largest request head (request line and headers); larger ones get 431.'),
        headersTimeout: duration('10s').describe('Time allowed to receive the request headers.'),
        requestTimeout: duration('30s').describe('Time allowed to receive the whole request.'),
      })
      .strict()
      .prefault({}),
    browser: z
      .object({
        sessionIdleTimeout: duration('30m').describe(
          'A browser sign-in session ends after this long unused.',
        ),
        sessionMaxAge: duration('12h').describe('A browser sign-in session ends this long after sign-in.'),
        maxSessions: z
          .number()
          .int()
          .positive()
          .default(100_000)
          .describe('Most sign-in sessions held in memory (least recently used dropped first).'),
        signInFreeFailures: z
          .number()
          .int()
          .nonnegative()
          .default(5)
          .describe('Failed sign-ins per account before each further failure doubles a wait (429).'),
        signInMaxDelay: duration('15m').describe('Longest wait imposed after failed sign-ins.'),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        cert: z.string().default('').describe('PEM certificate file: serve HTTPS (with key).'),
        key: z.string().default('').describe('PEM private key file of cert.'),
        ca: z
          .string()
          .default('')
          .describe('PEM CA file that client certificates must chain to (tls_client_auth).'),
        requestClientCert: z
          .boolean()
          .default(false)
          .describe('Ask clients for a certificate (RFC 8705 tls_client_auth); needs ca.'),
      })
      .strict()
      .prefault({}),
    grpc: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Serve the gRPC service idp_token.IDPTokenService (go-authkit compatible: IntrospectToken, CreateToken) for the default tenant, under the issuer and claim style of the first profile. Callers send `authorization: Bearer` metadata: a static introspection token, or an access token of a client with canIntrospect.',
          ),
        host: z.string().min(1).default('127.0.0.1').describe('Address the gRPC service listens on.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(50051)
          .describe('Port of the gRPC service; 0 = any free port.'),
        tls: z
          .object({
            cert: z.string().default('').describe('PEM certificate file: serve gRPC over TLS (with key).'),
            key: z.string().default('').describe('PEM private key file of cert.'),
            ca: z
              .string()
              .default('')
              .describe('PEM CA file that client certificates must chain to (with requireClientCert).'),
            requireClientCert: z
              .boolean()
              .default(false)
              .describe('Mutual TLS: refuse connections without a client certificate of ca.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    console: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Serve the management console at /console (default tenant) and /t/<tenant>/console, for users with admin: true of each tenant.',
          ),
        idleTimeout: duration('15m').describe('A console session ends after this long without a request.'),
        absoluteTimeout: duration('8h').describe(
          'A console session ends this long after sign-in, however active.',
        ),
      })
      .strict()
      .prefault({}),
    events: idpEventsSchema.describe('Revocation events: Redis pub/sub and the SSE stream (docs/EVENTS.md).'),
    tenants: z.array(tenantSchema).default([]).describe('Tenants created at start (besides `default`).'),
    clients: z.array(clientSchema).default([]).describe('Clients created or updated at start.'),
    users: z.array(userSchema).default([]).describe('Users created or updated at start.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const tenants = new Set([DEFAULT_TENANT]);
    config.tenants.forEach((tenant, index) => {
      if (tenants.has(tenant.id) && tenant.id !== DEFAULT_TENANT) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', index, 'id'],
          message: `tenant "${tenant.id}" is declared twice`,
        });
      }
      tenants.add(tenant.id);
    });
    const known = (path: (string | number)[], tenant: string) => {
      if (!tenants.has(tenant)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown tenant "${tenant}" (declare it under idp.tenants)`,
        });
      }
    };
    const seen = new Set<string>();
    config.clients.forEach((client, index) => {
      known(['clients', index, 'tenant'], client.tenant);
      const key = `${client.tenant}/${client.id}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, 'id'],
          message: `client ${key} is declared twice`,
        });
      seen.add(key);
      // Public clients (checked by clientSchema) have no credential.
      if (!client.public && !client.secret && !client.jwks && !client.tlsSubjectDn) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index],
          message: 'a client needs a secret, jwks or tlsSubjectDn',
        });
      }
      const needs: Record<string, unknown> = {
        client_secret_basic: client.secret,
        client_secret_post: client.secret,
        private_key_jwt: client.jwks,
        tls_client_auth: client.tlsSubjectDn,
      };
      client.authMethods.forEach((method, at) => {
        if (!needs[method]) {
          ctx.addIssue({
            code: 'custom',
            path: ['clients', index, 'authMethods', at],
            message: `${method} needs its credential (secret, jwks or tlsSubjectDn)`,
          });
        }
      });
    });
    seen.clear();
    config.users.forEach((user, index) => {
      known(['users', index, 'tenant'], user.tenant);
      const key = `${user.tenant}/${user.username}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['users', index, 'username'],
          message: `user ${key} is declared twice`,
        });
      seen.add(key);
    });
    config.introspection.staticTokens.forEach((token, index) => {
      known(['introspection', 'staticTokens', index, 'tenant'], token.tenant);
    });
    if (config.tls.requestClientCert && !config.tls.ca) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'ca'],
        message: 'requestClientCert needs the CA that client certificates chain to',
      });
    }
    if (Boolean(config.tls.cert) !== Boolean(config.tls.key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', config.tls.cert ? 'key' : 'cert'],
        message: 'cert and key go together',
      });
    }
    if (config.tls.requestClientCert && !config.tls.cert) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'cert'],
        message: 'requestClientCert needs HTTPS (cert and key)',
      });
    }
    const grpcTls = config.grpc.tls;
    if (Boolean(grpcTls.cert) !== Boolean(grpcTls.key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['grpc', 'tls', grpcTls.cert ? 'key' : 'cert'],
        message: 'cert and key go together',
      });
    }
    if (grpcTls.requireClientCert && (!grpcTls.ca || !grpcTls.cert)) {
      ctx.addIssue({
        code: 'custom',
        path: ['grpc', 'tls', grpcTls.ca ? 'cert' : 'ca'],
        message: 'requireClientCert needs TLS (cert and key) and the CA that client certificates chain to',
      });
    }
    // A CA alone would verify nothing (client certificates are only checked when required): refused, so
    // that nobody believes it restricts who connects.
    if (grpcTls.ca && !grpcTls.requireClientCert) {
      ctx.addIssue({
        code: 'custom',
        path: ['grpc', 'tls', 'requireClientCert'],
        message: 'must be true when ca is set (the CA only verifies client certificates)',
      });
    }
  });

/** The `idp` section as written (input) and as used (output, durations in milliseconds). */
export type IdpConfigInput = z.input<typeof idpConfigSchema>;
export type IdpConfig = z.output<typeof idpConfigSchema>;
export type ClientDeclaration = IdpConfig['clients'][number];
export type UserDeclaration = IdpConfig['users'][number];
export type TenantDeclaration = IdpConfig['tenants'][number];

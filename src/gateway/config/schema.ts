/**
 * @module gateway/config/schema
 * The configuration schema of the gateway (the `gateway` section of its config file): the two listeners
 * (proxy, and the API with decisions, health, metrics and JWKS, Oathkeeper's 4455/4456 convention), limits,
 * named authenticators (each one the library's `auth` section, see docs/CONFIG.md) and the routes, tried in
 * order. Every key has a default and a description; docs/GATEWAY-CONFIG.md is generated from this file.
 */
import { z } from 'zod';
import { authConfigSchema, duration } from '../../config/schema.ts';
import { size, sizeValue } from './size.ts';

/** RFC 9110 §5.1 field-name (`token`). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 §9.1 method (`token`), written upper-case in config. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Z-]+$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Headers the gateway must never take from a claim: framing, routing and hop-by-hop headers, the ones the
 * proxy engine sets itself (`X-Forwarded-*`, `X-Request-ID`), and the client's credentials.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-method',
  'x-forwarded-uri',
  'x-request-id',
  'cookie',
  'authorization',
]);

const headerName = (what: string) =>
  z.string().regex(HEADER_NAME, `${what} must be a header name (RFC 9110 §5.1)`);

/** A header the gateway sets from a claim: a header name that is not reserved. */
const identityHeader = () =>
  headerName('the key').refine(
    (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
    'is reserved (framing, forwarding or credential header)',
  );

/** An absolute http(s) URL (WHATWG URL parsing, as every client of it will parse it). */
const url = () => z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

const claimPath = () =>
  z
    .string()
    .min(1, 'must be a claim path (`sub`, `ext.tenant`)')
    .regex(/^[^.](.*[^.])?$/, 'must be a claim path (`sub`, `ext.tenant`)');

const listener = (port: number, what: string) =>
  z
    .object({
      host: z.string().min(1).default('0.0.0.0').describe(`Address the ${what} listens on.`),
      port: z
        .number()
        .int()
        .min(0)
        .max(65_535)
        .default(port)
        .describe(`Port of the ${what} (0 = any free port).`),
    })
    .strict()
    .prefault({});

export const matchSchema = z
  .object({
    hosts: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9.*_-]+$/, 'must be a host name, `*` wildcards allowed')
          .transform((host) => host.toLowerCase()),
      )
      .default([])
      .describe('Host names (`Host` without port), `*` wildcards allowed (`*.example.com`); empty = any.'),
    pathPrefix: z
      .string()
      .regex(/^\/.*/, 'must start with /')
      .or(z.literal(''))
      .default('')
      .describe('Path prefix (plain string prefix, as Traefik PathPrefix and Kong paths); empty = any.'),
    path: z
      .string()
      .regex(/^\/.*/, 'must start with /')
      .or(z.literal(''))
      .default('')
      .describe(
        'Exact path, or a pattern: `:name` matches one segment, `*` any rest (`/users/:id/*`). Not with pathPrefix.',
      ),
    methods: z
      .array(
        z
          .string()
          .transform((method) => method.toUpperCase())
          .pipe(z.string().regex(METHOD, 'must be an HTTP method')),
      )
      .default([])
      .describe('HTTP methods (`GET`, `POST`); empty = any.'),
  })
  .strict()
  .refine((match) => !(match.path && match.pathPrefix), {
    message: 'set path or pathPrefix, not both',
    path: ['path'],
  });

export const upstreamSchema = z
  .object({
    urls: z
      .array(url())
      .default([])
      .describe(
        'Base URLs, round-robin with passive health checks; a base path is prefixed. Empty = decisions only.',
      ),
    preserveHost: z
      .boolean()
      .default(false)
      .describe("Send the client's Host instead of the upstream's (Oathkeeper preserve_host)."),
    stripPrefix: z
      .string()
      .regex(/^\/.*/, 'must start with /')
      .or(z.literal(''))
      .default('')
      .describe('Removed from the start of the path before forwarding (Traefik StripPrefix).'),
    timeouts: z
      .object({
        connect: duration('5s').describe('Time to connect to an upstream.'),
        headers: duration('60s').describe('Time from request sent to response headers (504 after it).'),
        body: duration('60s').describe('Idle time allowed between body chunks in either direction.'),
      })
      .strict()
      .prefault({}),
    connections: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('Keep-alive connections per upstream origin.'),
    health: z
      .object({
        unhealthyAfterFailures: z
          .number()
          .int()
          .positive()
          .default(3)
          .describe('Consecutive failures after which an upstream URL is skipped...'),
        cooldown: duration('10s').describe('...for this long, then tried again.'),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        caCert: z.string().default('').describe('PEM file of the CA of https upstreams; empty = system CAs.'),
        rejectUnauthorized: z.boolean().default(true).describe('Verify upstream certificates. Leave on.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const scopeItem = z
  .string()
  .refine(
    (item) => item.split(' ').every((scope) => SCOPE_TOKEN.test(scope)),
    'must be scope tokens separated by single spaces (RFC 6749 §3.3)',
  );

const roleItem = z.union([
  z.string().min(1),
  z
    .object({
      namespace: z.string().min(1).optional().describe('go-authkit `rn` or Keycloak client id.'),
      role: z.string().min(1).describe('Role name.'),
    })
    .strict(),
]);

export const routeAuthSchema = z
  .object({
    authenticator: z
      .string()
      .default('')
      .describe('Name of an entry of gateway.authenticators; empty = the only one configured.'),
    tokenSources: authConfigSchema.shape.tokenSources
      .optional()
      .describe(
        "Where this route reads the token (same keys as auth.tokenSources: header+scheme, query, cookie, body); default: the authenticator's.",
      ),
    scopes: z
      .array(scopeItem)
      .default([])
      .describe(
        'Required scopes, Kong semantics: items OR, space-separated words AND (`["read write", "admin"]`).',
      ),
    audiences: z
      .object({
        values: z.array(z.string().min(1)).default([]).describe('Accepted `aud` values; empty = no check.'),
        match: z
          .enum(['any', 'all'])
          .default('any')
          .describe('`any`: one of them suffices; `all`: every one must be in `aud` (Oathkeeper).'),
      })
      .strict()
      .prefault({}),
    issuers: z.array(z.string().min(1)).default([]).describe('Accepted `iss` values; empty = no check.'),
    roles: z
      .array(roleItem)
      .default([])
      .describe(
        'Any of these roles (OR): `admin` (Keycloak realm role or policy without rn), `my_service/admin` or `{namespace, role}` (go-authkit access policy, Keycloak client role).',
      ),
    claimValues: z
      .record(claimPath(), z.array(z.string().min(1)).min(1))
      .default({})
      .describe(
        'Claim path → required values, Kong `*_required` semantics (items OR, space-separated AND): `{groups: ["staff ops", "root"]}`.',
      ),
    claims: z
      .string()
      .default('')
      .describe(
        'Claim rule (Traefik `claims`): `Equals("ext.tenant", "acme") && Contains("groups", "ops")`.',
      ),
  })
  .strict();

export const forwardSchema = z
  .object({
    headers: z
      .record(identityHeader(), claimPath())
      .default({})
      .describe(
        'Header → claim path (`{X-User-Id: sub, X-Tenant: ext.tenant}`); arrays joined with `,`, objects as JSON, missing claim = no header.',
      ),
    introspectionHeader: z
      .union([z.literal(''), identityHeader()])
      .default('')
      .describe(
        'Header carrying the whole introspection answer as base64url JSON (`X-Userinfo`); empty = off.',
      ),
    phantomToken: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Send a short-lived JWT signed by the gateway upstream.'),
        header: z
          .union([z.literal('Authorization'), z.literal('authorization'), identityHeader()])
          .default('Authorization')
          .describe('Header of the JWT: `Authorization` gets `Bearer <jwt>`, another header the bare JWT.'),
        ttl: duration('60s').describe("Lifetime of the JWT, never past the token's exp."),
        claims: z
          .array(claimPath())
          .default(['sub', 'scope', 'client_id'])
          .describe('Claims copied from the verified token.'),
        audience: z
          .array(z.string().min(1))
          .default([])
          .describe("`aud` of the JWT; empty = the route's auth.audiences.values (none if unset)."),
      })
      .strict()
      .prefault({}),
    credential: z
      .enum(['strip', 'keep'])
      .default('strip')
      .describe(
        "`strip` removes the client's token (its header, query parameter, cookie or form field) before forwarding (Kong hide_credentials, Traefik forwardAuthorization=false).",
      ),
  })
  .strict()
  .prefault({});

export const routeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"')
      .default('')
      .describe('Name in logs and metrics; empty = `route-<index>`.'),
    match: matchSchema.prefault({}).describe('What requests the route takes; the first matching route wins.'),
    upstream: upstreamSchema.describe('Where the route forwards.'),
    auth: z
      .union([z.literal('public'), routeAuthSchema])
      .prefault({})
      .describe('`public` (no authentication), or the checks (default: the only authenticator, no checks).'),
    forward: forwardSchema.describe('Identity sent upstream.'),
    errors: z
      .object({
        unauthorizedMessage: z
          .string()
          .default('')
          .describe("Message of 401 bodies (Kong unauthorized_error_message); empty = the authenticator's."),
        forbiddenMessage: z
          .string()
          .default('')
          .describe("Message of 403 bodies (Kong forbidden_error_message); empty = the authenticator's."),
      })
      .strict()
      .prefault({}),
    maxBodySize: sizeValue()
      .optional()
      .describe('Largest request body (413 beyond); default: gateway.limits.maxBodySize.'),
  })
  .strict();

export const gatewaySchema = z
  .object({
    listen: listener(4455, 'proxy').describe('The proxy listener.'),
    api: listener(4456, 'API (decisions, health, metrics, JWKS)').describe(
      'The API listener: /decisions, /healthz, /readyz, /metrics, /.well-known/jwks.json. Keep it internal.',
    ),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
    errorDomain: z
      .string()
      .default('tokenguard')
      .describe("`domain` of error bodies; an authenticator's own errorDomain wins for its routes."),
    issuer: z
      .union([z.literal(''), url()])
      .default('')
      .describe('`iss` of phantom tokens; empty = the API URL (whose /.well-known/jwks.json has the key).'),
    signingKey: z
      .string()
      .default('')
      .describe('PEM or JWK file of the phantom-token signing key; empty = an ES256 key made at start.'),
    limits: z
      .object({
        maxHeaderSize: size('16kb').describe('Largest request head (431 beyond); node maxHeaderSize.'),
        maxBodySize: size('0').describe('Largest request body of every route (413 beyond); 0 = unlimited.'),
        maxBufferedBody: size('1mb').describe(
          'Largest form body buffered to read a token from it (routes with the body token source).',
        ),
        headersTimeout: duration('20s').describe('Time to receive the request head (slowloris).'),
        requestTimeout: duration('5m').describe('Time to receive the whole request, body included.'),
        keepAliveTimeout: duration('5s').describe('Idle time of a client keep-alive connection.'),
        allowEncodedSlashes: z
          .boolean()
          .default(false)
          .describe('Accept `%2F` and `%5C` in paths (off: 400, they let upstreams see another path).'),
      })
      .strict()
      .prefault({}),
    shutdownTimeout: duration('30s').describe('How long in-flight requests may finish after SIGTERM.'),
    reload: z
      .object({
        watch: z
          .boolean()
          .default(true)
          .describe('`tokenguard gateway` reloads when the config file changes.'),
        debounce: duration('300ms').describe('Quiet time after the last change before reloading.'),
      })
      .strict()
      .prefault({}),
    authenticators: z
      .record(
        z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"'),
        z.record(z.string(), z.unknown()),
      )
      .default({})
      .describe('Named authenticators, each an `auth` section (docs/CONFIG.md); one cache per name.'),
    routes: z.array(routeSchema).default([]).describe('Routes, tried in order.'),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof gatewaySchema>;
export type GatewaySection = z.output<typeof gatewaySchema>;
export type RouteConfigInput = z.input<typeof routeSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type RouteAuthConfig = z.output<typeof routeAuthSchema>;
export type ForwardConfig = z.output<typeof forwardSchema>;
export type MatchConfig = z.output<typeof matchSchema>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;

/**
 * @module idp/server
 * `createIdp(config)`: the identity provider as one in-process object. It opens the store (SQLite by
 * default, `idp.store`), applies the declared tenants, clients and users, wires the key manager, token
 * service and caller authentication to the endpoints, and listens (port 0 allowed: tests read `url`).
 * HTTPS and client certificates (RFC 8705 `tls_client_auth`) come with `idp.tls`. With `idp.grpc.enabled`
 * the gRPC introspection service (`idp/grpc`) listens too, on its own address, over the same services.
 *
 * Every request is logged by the access log of seed 000 (`response completed in …`), which records method,
 * path, status and sizes, never a body: tokens and secrets travel only in bodies and headers.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { withAccessLog } from '../observability/access-log.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createAuthenticator } from '../pipeline/create-authenticator.ts';
import { createBrowserListener } from './browser/listener.ts';
import { createBrowserServices } from './browser/services.ts';
import { CallerAuthenticator } from './clients/authenticate-caller.ts';
import { applyDeclarations } from './config/apply.ts';
import { maxTokenLifetimeSeconds } from './config/key-lifetime.ts';
import { parseIdpConfig } from './config/load.ts';
import type { IdpConfig, IdpConfigInput } from './config/schema.ts';
import { createConsole } from './console/app.ts';
import { withConsole } from './console/listener.ts';
import { RateLimiter } from './endpoints/rate-limit.ts';
import { createRouter } from './endpoints/router.ts';
import type { IdpServices } from './endpoints/types.ts';
import type { RevocationEvents } from './events/revocation-events.ts';
import { type IdpRevocationEvents, startRevocationEvents } from './events/start.ts';
import { type GrpcListener, listenGrpc } from './grpc/listener.ts';
import { KeyManager } from './keys/key-manager.ts';
import { countRequests, countTokenOperations, createIdpMetrics, requestEndpoint } from './metrics.ts';
import { openStore } from './store/open-store.ts';
import { withReadCache } from './store/read-cache.ts';
import type { IdpStore } from './store/types.ts';
import { signIntrospectionResponse } from './tokens/jwt-response.ts';
import { DefaultTokenService } from './tokens/token-service.ts';
import type { TokenService } from './tokens/types.ts';

export interface IdpOptions {
  /** A store to use instead of opening `idp.store`; the caller keeps owning it (`close` leaves it open). */
  store?: IdpStore;
  /** pino logger; default JSON lines on stdout at `idp.logLevel`. */
  logger?: Logger;
  /** prom-client registry for the IdP's counters (`idp/metrics`); default a registry of its own. */
  registry?: Registry;
}

export interface Idp {
  /** Where the server listens (`http://127.0.0.1:<port>`). */
  url: string;
  /** Issuer identifier of the default tenant (`idp.issuer`, else `url`): the base of every endpoint URL. */
  issuer: string;
  /** `host:port` of the gRPC introspection service (`idp.grpc`); undefined when it is off. */
  grpcAddress?: string;
  store: IdpStore;
  tokens: TokenService;
  keys: KeyManager;
  /** Revocations that caches hear of at once (`idp/events`): `revokeClient`, `revokeSubject`, `revokeWhere`. */
  revocations: RevocationEvents;
  config: IdpConfig;
  /** The registry holding the IdP's counters (requests, introspections, tokens issued). */
  registry: Registry;
  close(): Promise<void>;
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw configInvalid(
      `idp.tls.${key}`,
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

function createServer(config: IdpConfig): Server {
  const { tls } = config;
  const checking = {
    // A head over the limit gets 431 from node's parser (RFC 6585 §5).
    maxHeaderSize: config.limits.maxHeaderBytes,
    // headersTimeout / requestTimeout are enforced at this interval; node's default (30 s) would let a
    // slowloris head or body outlive them by that much.
    connectionsCheckingInterval: Math.max(
      250,
      Math.min(5_000, Math.floor(Math.min(config.limits.headersTimeout, config.limits.requestTimeout) / 4)),
    ),
  };
  if (!tls.cert) return createHttpServer(checking);
  return createHttpsServer({
    ...checking,
    cert: readPem(tls.cert, 'cert'),
    key: readPem(tls.key, 'key'),
    ca: tls.ca ? readPem(tls.ca, 'ca') : undefined,
    // RFC 8705 §2: the certificate is asked for, not required: clients of other methods connect too, and
    // `socket.authorized` tells the client authentication whether the certificate chains to the CA.
    requestCert: tls.requestClientCert,
    rejectUnauthorized: false,
  });
}

/** `http(s)://host:port` of a listening server; IPv6 literals in brackets (RFC 3986 §3.2.2). */
function boundUrlOf(server: Server, config: IdpConfig): string {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tls.cert ? 'https' : 'http'}://${host}:${port}`;
}

/** Verifies jwt-bearer assertions from the configured other issuers (the library's JWT verification). */
function externalAssertions(config: IdpConfig, logger: Logger) {
  const urls = config.jwtBearer.trustedIssuerUrls;
  if (urls.length === 0) return { verify: undefined, close: async () => {} };
  const authenticator = createAuthenticator({ config: { jwt: { trustedIssuerUrls: urls } }, logger });
  return {
    verify: async (assertion: string) => {
      const principal = await authenticator.authenticate({
        headers: { authorization: `Bearer ${assertion}` },
      });
      return principal.subject ? { subject: principal.subject } : undefined;
    },
    close: () => authenticator.close(),
  };
}

export async function createIdp(input: IdpConfigInput = {}, options: IdpOptions = {}): Promise<Idp> {
  const config = parseIdpConfig(input);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const store = withReadCache(options.store ?? (await openStore(config.store, { dataDir: config.dataDir })));
  const ownsStore = options.store === undefined;
  try {
    await store.migrate();
    await applyDeclarations(store, config);
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
  const keys = new KeyManager({
    store,
    algorithm: config.tokens.algorithm,
    maxTokenLifetime: maxTokenLifetimeSeconds(config),
  });
  let events: IdpRevocationEvents;
  try {
    events = await startRevocationEvents(config, { store, keys, logger, base: () => base });
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
  const tokens = new DefaultTokenService({ store, keys, events: events.revocations });
  const registry = options.registry ?? new Registry();
  const metrics = createIdpMetrics(registry);
  const external = externalAssertions(config, logger);
  const services: IdpServices = {
    config,
    store,
    revocations: events.revocations,
    tokens: countTokenOperations(tokens, metrics),
    keys,
    signIntrospection: ({ realm, answer, audience }) =>
      signIntrospectionResponse({ realm, answer, audience, keys }),
    callers: new CallerAuthenticator({
      store,
      tokens,
      staticTokens: config.introspection.staticTokens.map((entry, index) => ({
        token: entry.token,
        tenant: entry.tenant,
        name: entry.name || `static-${index}`,
      })),
      assertionMaxLifetimeMs: config.clientAuth.assertionMaxLifetime,
      clockToleranceMs: config.clientAuth.clockTolerance,
      logger,
    }),
    rateLimiter: new RateLimiter({
      perMinute: config.introspection.rateLimit.perCaller,
      burst: config.introspection.rateLimit.burst,
    }),
    logger,
    externalAssertions: external.verify,
    tls: Boolean(config.tls.cert),
    browser: createBrowserServices(config.browser, store, keys),
  };

  let server: Server;
  try {
    server = createServer(config);
  } catch (error) {
    await events.close();
    if (ownsStore) await store.close();
    throw error;
  }
  let base = '';
  let listener = createRouter(services, () => base, [
    createBrowserListener(services, services.browser!, () => base),
  ]);
  if (config.console.enabled) {
    // The console works with the plain token service: its own lookups are not endpoint traffic.
    const managementConsole = createConsole({
      config,
      store,
      tokens,
      keys,
      logger,
      registry,
      base: () => base,
      tls: services.tls,
      revocations: events.revocations,
      idleTimeoutMs: config.console.idleTimeout,
      absoluteTimeoutMs: config.console.absoluteTimeout,
    });
    listener = withConsole(managementConsole, listener);
  }
  if (events.stream) listener = events.stream.mount(listener, services, () => base);
  server.on(
    'request',
    withAccessLog(
      logger,
      countRequests(metrics, (path) => requestEndpoint(path, config.profiles), listener),
    ),
  );
  server.headersTimeout = config.limits.headersTimeout;
  server.requestTimeout = config.limits.requestTimeout;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await events.close();
    if (ownsStore) await store.close();
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw configInvalid('idp.port', `cannot listen on ${config.host}:${config.port} (${code})`);
  }
  const url = boundUrlOf(server, config);
  // Behind a proxy the public issuer differs from the bound address; endpoint URLs use the issuer.
  base = config.issuer ? config.issuer.replace(/\/+$/, '') : url;
  logger.info({ url, issuer: base }, 'identity provider listening');
  const closeHttp = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  let grpc: GrpcListener | undefined;
  if (config.grpc.enabled) {
    try {
      grpc = await listenGrpc(services, base);
    } catch (error) {
      await closeHttp();
      await external.close();
      await events.close();
      if (ownsStore) await store.close();
      throw error;
    }
  }

  return {
    url,
    issuer: base,
    grpcAddress: grpc?.address,
    store,
    tokens,
    keys,
    config,
    registry,
    revocations: events.revocations,
    close: async () => {
      await Promise.all([closeHttp(), grpc?.close()]);
      await external.close();
      await events.close();
      if (ownsStore) await store.close();
    },
  };
}

/**
 * @module gateway/gateway
 * `createGateway(config)`: the gateway as one in-process object. Two listeners: the proxy (routes →
 * authentication → upstream) and the API (decisions, health, metrics, JWKS). The configuration can be
 * replaced at run time (`reload`): the new one is parsed and built completely first, a bad one is refused
 * with the key that is wrong and the one in force stays, a good one takes over atomically while requests
 * already running finish on the old one. `close()` drains: readiness turns 503, no new connection is
 * accepted, running requests get `shutdownTimeout` to finish, idle keep-alive connections are closed.
 *
 * @example
 * const gateway = await createGateway(loadGatewayConfig({ file: 'gateway.yaml' }));
 * console.log(gateway.proxyUrl, gateway.apiUrl);
 * await gateway.reload(newSection);
 * await gateway.close();
 */
import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JWK } from 'jose';
import { Registry } from 'prom-client';
import { configInvalid, isTokenguardError, TokenguardError } from '../errors/tokenguard-error.ts';
import { withAccessLog } from '../observability/access-log.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { createApiHandler } from './api-handler.ts';
import type { AuthenticatorDeps } from './authenticators.ts';
import { type GatewayConfig, parseGatewayConfig } from './config/load.ts';
import type { GatewayConfigInput } from './config/schema.ts';
import { createDecisionHandler } from './decision-handler.ts';
import { type GatewaySigningKey, loadGatewaySigningKey } from './forward/signing-key.ts';
import { errorAnswer, rawHttpResponse } from './http/respond.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createUpstream } from './proxy/upstream.ts';
import { createProxyHandler } from './proxy-handler.ts';
import { buildRuntime, type Runtime, type RuntimeDeps, retireRuntime } from './runtime.ts';

export interface GatewayOptions {
  /** pino logger; default JSON lines on stdout at `gateway.logLevel`. */
  logger?: Logger;
  /** Registry of `/metrics`; default a registry of the gateway's own. */
  registry?: Registry;
  /** Caches of each authenticator (a shared Redis cache, say); default in-process LRUs. */
  caches?: AuthenticatorDeps['caches'];
}

export interface Gateway {
  /** Where the proxy listens (`http://127.0.0.1:<port>`; a wildcard address is written as loopback). */
  readonly proxyUrl: string;
  /** Where the API listens: decisions, /healthz, /readyz, /metrics, /.well-known/jwks.json. */
  readonly apiUrl: string;
  /** The configuration in force. */
  readonly config: GatewayConfig;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The named authenticator of the configuration in force (revocation events evict from its cache). */
  authenticator(name: string): Authenticator | undefined;
  /**
   * Replaces the configuration: rejects (configInvalid naming the key) and keeps the one in force when
   * the new one is invalid or cannot be built.
   */
  reload(config: GatewayConfigInput | GatewayConfig): Promise<void>;
  /** Drains and stops both listeners, then closes upstream pools and authenticators. */
  close(): Promise<void>;
}

/** node:http server options from `gateway.limits` (slowloris: a head must arrive in headersTimeout). */
function serverOptions(config: GatewayConfig): ServerOptions {
  const { limits } = config;
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    // Timeouts are checked at this interval (node's default, 30 s, would let a slow head live longer).
    connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeout / 4))),
  };
}

function listen(server: Server, host: string, port: number, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(configInvalid(key, `cannot listen on ${host}:${port} (${error.code ?? error.message})`));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const address = server.address() as AddressInfo;
      const shown =
        address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
      resolve(`http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Resolves true when `promise` settles within `ms`, false when the time ran out first. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const expired = sleep(ms, false, { signal: timer.signal }).catch(() => false);
  const settled = await Promise.race([promise.then(() => true), expired]);
  timer.abort();
  return settled;
}

/** Answers what node's parser refuses (a head over maxHeaderSize: 431) with seed 000's JSON body. */
function clientErrorAnswer(error: NodeJS.ErrnoException, domain: string): string | undefined {
  let failure: TokenguardError;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    failure = new TokenguardError('headersTooLarge', 'headers_too_large');
  } else if (error.code?.startsWith('HPE_')) {
    failure = new TokenguardError('invalidRequest', 'request_target_invalid', { detail: error.code });
  } else {
    return undefined;
  }
  const { status, headers, body } = errorAnswer(failure, { domain, realm: domain, messages: {} });
  delete headers['www-authenticate'];
  return rawHttpResponse(status, headers, body);
}

/** Keys that only take effect at start: a reload that changes them warns instead. */
function restartOnlyChanges(before: GatewayConfig, after: GatewayConfig): string[] {
  const keys: string[] = [];
  if (JSON.stringify(before.listen) !== JSON.stringify(after.listen)) keys.push('gateway.listen');
  if (JSON.stringify(before.api) !== JSON.stringify(after.api)) keys.push('gateway.api');
  if (before.limits.maxHeaderSize !== after.limits.maxHeaderSize) keys.push('gateway.limits.maxHeaderSize');
  return keys;
}

export async function createGateway(
  input: GatewayConfigInput | GatewayConfig = {},
  options: GatewayOptions = {},
): Promise<Gateway> {
  let config = parseGatewayConfig(input);
  const ownLogger = options.logger === undefined;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const registry = options.registry ?? new Registry();
  const libraryMetrics = createMetrics({ registry });
  const metrics = createGatewayMetrics(registry);
  let signingKey: GatewaySigningKey = await loadGatewaySigningKey(config.signingKey);
  /** Public keys served: the current key, then the one it replaced (phantom tokens signed before a reload). */
  let jwks: JWK[] = [signingKey.jwk];
  let runtime: Runtime | undefined;
  /** Runtimes that may still run requests: the one in force and replaced ones not yet idle. */
  const live = new Set<Runtime>();
  let draining = false;
  const retiring = new Set<Promise<void>>();

  const current = () => runtime!;
  const decide = createDecisionHandler({ logger, metrics });
  const api = createServer(
    serverOptions(config),
    withAccessLog(
      logger,
      createApiHandler({
        runtime: () => runtime,
        draining: () => draining,
        registry,
        jwks: () => jwks,
        decide,
        errorDomain: () => config.errorDomain,
      }),
    ),
  );
  const apiUrl = await listen(api, config.api.host, config.api.port, 'gateway.api.port');

  const upstreamDeps = {
    logger,
    errorDomain: config.errorDomain,
    metrics: {
      onHealthChange: (upstream: string, healthy: boolean) => metrics.upstreamHealth(upstream, healthy),
    },
  };
  const runtimeDeps = (next: GatewayConfig): RuntimeDeps => ({
    logger,
    metrics: libraryMetrics,
    caches: options.caches,
    signingKey,
    issuer: next.issuer || apiUrl,
    createUpstream: (spec) => createUpstream(spec, { ...upstreamDeps, errorDomain: next.errorDomain }),
  });
  try {
    runtime = await buildRuntime(config, runtimeDeps(config));
    live.add(runtime);
  } catch (error) {
    await closeServer(api);
    throw error;
  }

  const proxyHandler = createProxyHandler({ runtime: current, draining: () => draining, logger, metrics });
  const proxy = createServer(
    serverOptions(config),
    withAccessLog(logger, proxyHandler.onRequest, { secretParams: queryTokenNames(config) }),
  );
  proxy.on('upgrade', (request, socket: Duplex, head: Buffer) =>
    proxyHandler.onUpgrade(request, socket, head),
  );
  proxy.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = clientErrorAnswer(error, config.errorDomain);
    if (answer && socket.writable) socket.end(answer);
    else socket.destroy();
  });
  // While draining, a finished exchange leaves its keep-alive connection idle: close it.
  proxy.on('request', (_request, response) => {
    if (draining) response.once('finish', () => setImmediate(() => proxy.closeIdleConnections()));
  });
  let proxyUrl: string;
  try {
    proxyUrl = await listen(proxy, config.listen.host, config.listen.port, 'gateway.listen.port');
  } catch (error) {
    await retireRuntime(runtime, live, { tunnels: 'destroy', graceMs: 0 });
    await closeServer(api);
    throw error;
  }
  logger.info(
    { proxy_url: proxyUrl, api_url: apiUrl, routes: config.routes.length },
    `gateway listening on ${proxyUrl}, api on ${apiUrl}`,
  );

  const retire = (old: Runtime, tunnels: 'keep' | 'destroy', graceMs?: number) => {
    const done = retireRuntime(old, live, { tunnels, graceMs: graceMs ?? config.shutdownTimeout })
      .catch((error: unknown) => logger.error({ err: error }, 'closing a replaced configuration failed'))
      .finally(() => retiring.delete(done));
    retiring.add(done);
    return done;
  };

  async function apply(next: GatewayConfigInput | GatewayConfig): Promise<void> {
    if (draining)
      throw new TokenguardError('serviceUnavailable', 'internal_error', { detail: 'shutting down' });
    let parsed: GatewayConfig;
    let built: Runtime;
    try {
      parsed = parseGatewayConfig(next);
      let key = signingKey;
      if (parsed.signingKey !== config.signingKey) key = await loadGatewaySigningKey(parsed.signingKey);
      built = await buildRuntime(parsed, { ...runtimeDeps(parsed), signingKey: key }, runtime);
      if (key !== signingKey) {
        jwks = [key.jwk, signingKey.jwk];
        signingKey = key;
      }
    } catch (error) {
      logger.error(
        {
          error_code: isTokenguardError(error) ? error.code : 'error',
          error_detail: isTokenguardError(error) ? error.detail : String(error),
        },
        'configuration rejected; the one in force stays',
      );
      throw error;
    }
    const changed = restartOnlyChanges(config, parsed);
    if (changed.length) logger.warn({ keys: changed }, 'these keys take effect at the next start');
    const old = runtime!;
    live.add(built);
    runtime = built;
    config = parsed;
    if (ownLogger) logger.level = parsed.logLevel;
    for (const server of [proxy, api]) {
      server.headersTimeout = parsed.limits.headersTimeout;
      server.requestTimeout = parsed.limits.requestTimeout;
      server.keepAliveTimeout = parsed.limits.keepAliveTimeout;
    }
    void retire(old, 'keep');
    logger.info(
      { routes: parsed.routes.length, authenticators: Object.keys(parsed.authenticators).length },
      'configuration reloaded',
    );
  }

  let reloads: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    draining = true;
    await reloads;
    proxy.close();
    proxy.closeIdleConnections();
    const drained = await within(runtime!.inFlight.idle(), config.shutdownTimeout);
    if (!drained)
      logger.warn({ timeout_ms: config.shutdownTimeout }, 'requests still running at shutdown: cut');
    proxy.closeAllConnections();
    const apiClosed = closeServer(api);
    await retire(runtime!, 'destroy', 0);
    await Promise.all(retiring);
    await apiClosed;
    logger.info('gateway stopped');
  }

  return {
    proxyUrl,
    apiUrl,
    get config() {
      return config;
    },
    registry,
    logger,
    authenticator: (name) => runtime?.authenticators.get(name)?.authenticator,
    reload(next) {
      const run = reloads.then(() => apply(next));
      reloads = run.catch(() => undefined);
      return run;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/**
 * Every query parameter a route of `config` reads tokens from: the access log redacts their values even
 * under custom names (`?apikey=…`). Fixed at start: names added by a reload are still caught when they
 * carry a JWT, and the usual names always.
 */
function queryTokenNames(config: GatewayConfig): string[] {
  const names = new Set<string>();
  for (const auth of Object.values(config.authenticators)) names.add(auth.tokenSources.query.name);
  for (const route of config.routes) {
    if (route.auth !== 'public' && route.auth.tokenSources) names.add(route.auth.tokenSources.query.name);
  }
  return [...names];
}

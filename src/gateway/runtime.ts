/**
 * @module gateway/runtime
 * One configuration made ready to serve: routes compiled (matcher, authenticator, authorizer, token
 * reader, forward planner, error wording), authenticators and upstream pools built. A runtime is built
 * completely before it replaces the one in force, so a reload is atomic: a request runs from start to end
 * on the runtime it started on (it holds it, `enter`/`leave`), and what a replaced runtime owned alone is
 * closed once its last request is done. Unchanged authenticators and upstream pools are carried over.
 */
import { configInvalid } from '../errors/tokenguard-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createRouteAuth, type RouteAuth } from './auth/route-auth.ts';
import { buildRouteAuthorizer } from './auth/route-authorizer.ts';
import { createTokenReader } from './auth/token-reader.ts';
import { type AuthenticatorDeps, type BuiltAuthenticator, buildAuthenticators } from './authenticators.ts';
import type { GatewayConfig, ResolvedRoute } from './config/load.ts';
import { createIdentityForwarder, identityHeaderNames } from './forward/identity-headers.ts';
import { createPhantomTokenMinter } from './forward/phantom-token.ts';
import { createRoutePlanner, type RoutePlanner } from './forward/plan.ts';
import type { GatewaySigningKey } from './forward/signing-key.ts';
import type { ErrorStyle } from './http/respond.ts';
import { InFlight } from './proxy/context.ts';
import type { Upstream, UpstreamSpec } from './proxy/types.ts';
import { compileRouteMatcher, type MatchInput, type RouteMatcher } from './routing/route-matcher.ts';

export interface CompiledRoute {
  readonly name: string;
  readonly config: ResolvedRoute;
  readonly matches: RouteMatcher;
  /** Undefined when the route has no upstream URLs (decisions only). */
  readonly upstream: Upstream | undefined;
  /** Undefined for a public route. */
  readonly auth: RouteAuth | undefined;
  readonly planner: RoutePlanner;
  readonly style: ErrorStyle;
  /** Bytes; 0 = unlimited. */
  readonly maxBodySize: number;
}

export interface Runtime {
  readonly config: GatewayConfig;
  readonly routes: readonly CompiledRoute[];
  readonly authenticators: ReadonlyMap<string, BuiltAuthenticator>;
  /** Upstream pools by spec (routes with equal upstream sections share one). */
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** How the gateway words its own failures (no route, bad request target). */
  readonly style: ErrorStyle;
  match(input: MatchInput): CompiledRoute | undefined;
  /** Requests running on this runtime. */
  readonly inFlight: InFlight;
}

export interface RuntimeDeps {
  readonly logger: Logger;
  /** The library's metrics (one set per registry). */
  readonly metrics: Metrics;
  readonly caches?: AuthenticatorDeps['caches'];
  readonly signingKey: GatewaySigningKey;
  /** `iss` of phantom tokens. */
  readonly issuer: string;
  /** The proxy engine's factory of upstream pools. */
  readonly createUpstream: (spec: UpstreamSpec) => Upstream;
}

/** The engine's spec of a route's `upstream` section. */
export function upstreamSpec(route: ResolvedRoute): UpstreamSpec {
  const { upstream } = route;
  const tls =
    upstream.tls.caCert || !upstream.tls.rejectUnauthorized
      ? { caCert: upstream.tls.caCert || undefined, rejectUnauthorized: upstream.tls.rejectUnauthorized }
      : undefined;
  return {
    urls: upstream.urls,
    preserveHost: upstream.preserveHost,
    stripPrefix: upstream.stripPrefix,
    connectTimeoutMs: upstream.timeouts.connect,
    headersTimeoutMs: upstream.timeouts.headers,
    bodyTimeoutMs: upstream.timeouts.body,
    connections: upstream.connections,
    unhealthyAfterFailures: upstream.health.unhealthyAfterFailures,
    unhealthyCooldownMs: upstream.health.cooldown,
    ...(tls ? { tls } : {}),
  };
}

/** Every header name any route can set from a token: the client's copies are always removed. */
function spoofableHeaders(config: GatewayConfig): ReadonlySet<string> {
  const names = new Set<string>();
  for (const route of config.routes) {
    for (const name of identityHeaderNames(route.forward)) names.add(name);
    const phantom = route.forward.phantomToken;
    if (phantom.enabled && phantom.header.toLowerCase() !== 'authorization')
      names.add(phantom.header.toLowerCase());
  }
  return names;
}

function routeStyle(
  route: ResolvedRoute,
  built: BuiltAuthenticator | undefined,
  fallback: ErrorStyle,
): ErrorStyle {
  if (!built) return fallback;
  const { errorDomain, realm, messages } = built.config;
  const merged: ErrorStyle['messages'] = { ...messages };
  const { unauthorizedMessage, forbiddenMessage } = route.errors;
  if (unauthorizedMessage)
    Object.assign(merged, {
      bearerTokenMissing: unauthorizedMessage,
      authenticationFailed: unauthorizedMessage,
    });
  if (forbiddenMessage) Object.assign(merged, { authorizationFailed: forbiddenMessage });
  return { domain: errorDomain, realm: realm || errorDomain, messages: merged };
}

function compileRoute(
  route: ResolvedRoute,
  context: {
    readonly config: GatewayConfig;
    readonly deps: RuntimeDeps;
    readonly authenticators: ReadonlyMap<string, BuiltAuthenticator>;
    readonly upstreams: ReadonlyMap<string, Upstream>;
    readonly spoofable: ReadonlySet<string>;
    readonly style: ErrorStyle;
  },
): CompiledRoute {
  const { config, deps } = context;
  const built = route.auth === 'public' ? undefined : context.authenticators.get(route.auth.authenticator);
  const upstream = route.upstream.urls.length
    ? context.upstreams.get(JSON.stringify(upstreamSpec(route)))
    : undefined;
  let auth: RouteAuth | undefined;
  let planner: RoutePlanner;
  if (route.auth === 'public' || built === undefined) {
    planner = createRoutePlanner({ forward: route.forward, spoofable: context.spoofable });
  } else {
    const sources = route.auth.tokenSources ?? built.config.tokenSources;
    const reader = createTokenReader(sources);
    auth = createRouteAuth(
      built.name,
      built.authenticator,
      reader,
      buildRouteAuthorizer(route.auth, `${route.path}.auth`),
    );
    const phantomConfig = route.forward.phantomToken;
    const phantom = phantomConfig.enabled
      ? createPhantomTokenMinter({
          key: deps.signingKey,
          issuer: deps.issuer,
          ttlMs: phantomConfig.ttl,
          claims: phantomConfig.claims,
          audience: phantomConfig.audience.length ? phantomConfig.audience : route.auth.audiences.values,
        })
      : undefined;
    planner = createRoutePlanner({
      forward: route.forward,
      sources,
      spoofable: context.spoofable,
      identity: createIdentityForwarder({
        route: route.name,
        forward: route.forward,
        logger: deps.logger,
        phantom,
      }),
    });
  }
  return {
    name: route.name,
    config: route,
    matches: compileRouteMatcher(route.match),
    upstream,
    auth,
    planner,
    style: routeStyle(route, built, context.style),
    maxBodySize: route.maxBodySize ?? config.limits.maxBodySize,
  };
}

function buildUpstreams(
  config: GatewayConfig,
  deps: RuntimeDeps,
  previous: Runtime | undefined,
): { upstreams: Map<string, Upstream>; fresh: Upstream[] } {
  const upstreams = new Map<string, Upstream>();
  const fresh: Upstream[] = [];
  try {
    for (const route of config.routes) {
      if (route.upstream.urls.length === 0) continue;
      const spec = upstreamSpec(route);
      const key = JSON.stringify(spec);
      if (upstreams.has(key)) continue;
      const reused = previous?.upstreams.get(key);
      if (reused) {
        upstreams.set(key, reused);
        continue;
      }
      let upstream: Upstream;
      try {
        upstream = deps.createUpstream(spec);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw configInvalid(`${route.path}.upstream`, detail);
      }
      fresh.push(upstream);
      upstreams.set(key, upstream);
    }
  } catch (error) {
    for (const upstream of fresh) void upstream.close();
    throw error;
  }
  return { upstreams, fresh };
}

/**
 * Builds the runtime of `config`, carrying over from `previous` what did not change. On failure nothing
 * built here stays open and `previous` is untouched.
 */
export async function buildRuntime(
  config: GatewayConfig,
  deps: RuntimeDeps,
  previous?: Runtime,
): Promise<Runtime> {
  const authenticators = await buildAuthenticators(config.authenticators, {
    logger: deps.logger,
    metrics: deps.metrics,
    caches: deps.caches,
    previous: previous?.authenticators,
  });
  const freshAuthenticators = [...authenticators.values()].filter(
    (built) => previous?.authenticators.get(built.name) !== built,
  );
  let upstreams: Map<string, Upstream>;
  let freshUpstreams: Upstream[] = [];
  try {
    ({ upstreams, fresh: freshUpstreams } = buildUpstreams(config, deps, previous));
    const style: ErrorStyle = { domain: config.errorDomain, realm: config.errorDomain, messages: {} };
    const context = { config, deps, authenticators, upstreams, spoofable: spoofableHeaders(config), style };
    const routes = config.routes.map((route) => compileRoute(route, context));
    return {
      config,
      routes,
      authenticators,
      upstreams,
      style,
      inFlight: new InFlight(),
      match(input) {
        for (const route of routes) if (route.matches(input)) return route;
        return undefined;
      },
    };
  } catch (error) {
    await Promise.allSettled([
      ...freshAuthenticators.map((built) => built.authenticator.close()),
      ...freshUpstreams.map((upstream) => upstream.close()),
    ]);
    throw error;
  }
}

export interface CloseOptions {
  /** Cut established Upgrade tunnels (shutdown) or let them run (reload). */
  readonly tunnels: 'keep' | 'destroy';
  /** Longest wait for exchanges in flight, ms. */
  readonly graceMs: number;
}

/**
 * Closes what `old` holds and none of the `live` runtimes (those that may still run requests) holds, once
 * the requests running on `old` are done: an authenticator or pool carried over by a reload stays open as
 * long as any runtime uses it.
 */
export async function retireRuntime(old: Runtime, live: Set<Runtime>, options: CloseOptions): Promise<void> {
  await old.inFlight.idle();
  live.delete(old);
  const others = [...live];
  const keptUpstreams = new Set(others.flatMap((runtime) => [...runtime.upstreams.values()]));
  const keptAuthenticators = new Set(
    others.flatMap((runtime) => [...runtime.authenticators.values()].map((built) => built.authenticator)),
  );
  await Promise.allSettled([
    ...[...old.upstreams.values()]
      .filter((upstream) => !keptUpstreams.has(upstream))
      .map((upstream) => upstream.close(options)),
    ...[...old.authenticators.values()]
      .filter((built) => !keptAuthenticators.has(built.authenticator))
      .map((built) => built.authenticator.close()),
  ]);
}

/**
 * @module idp/metrics
 * The identity provider's own Prometheus counters (prom-client), on a registry the deployment passes or one
 * the IdP makes for itself (never the global one): requests by endpoint and status, introspections by
 * outcome, and tokens issued. The library's metrics (`observability/metrics`) count the resource server's
 * side; these count the authorization server's. The management console reads these same counters for its
 * live figures, so the console and a scrape of the registry can never disagree.
 *
 * Labels are bounded: endpoint names come from the router's fixed set, statuses from HTTP, outcomes and
 * kinds from the unions below. No label ever carries a client id, a subject or a token.
 *
 * Counting runs on every request, so it is kept cheap (issue 8): counts are plain numbers handed to
 * prom-client when it collects (its `inc(labels)` hashes the label object on every call), request counting
 * adds one shared `finish` listener (no closure per request) and remembers the endpoint label of recent paths.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { Tally } from '../observability/tally.ts';
import { matchConsolePath } from './console/paths.ts';
import { matchBrowserRoute, matchRoute, type Profile } from './tenants/profiles.ts';
import type { TokenService } from './tokens/types.ts';

/** Names of the counters, for readers of the registry (the console's live figures). */
export const IDP_METRIC_NAMES = {
  requests: 'tokenguard_idp_requests_total',
  introspections: 'tokenguard_idp_introspections_total',
  tokensIssued: 'tokenguard_idp_tokens_issued_total',
} as const;

/** `error`: the introspection threw (a store outage), so no answer was given. */
export type IntrospectionOutcome = 'active' | 'inactive' | 'error';
/** `grant`: tokens of a new grant (any grant type); `refresh`: a refresh-token exchange (RFC 6749 §6). */
export type IssuanceKind = 'grant' | 'refresh';

export interface IdpMetrics {
  request(endpoint: string, status: number): void;
  introspection(outcome: IntrospectionOutcome): void;
  issued(kind: IssuanceKind): void;
}

/** Creates the counters on `registry`; calling it twice on one registry is an error (prom-client's rule). */
export function createIdpMetrics(registry: Registry): IdpMetrics {
  const registers = [registry];
  // Tallies by label value, made on first use: endpoints and statuses are bounded sets (see above).
  const requestTallies = new Map<string, Map<number, Tally>>();
  const outcomes = {
    active: new Tally({ outcome: 'active' }),
    inactive: new Tally({ outcome: 'inactive' }),
    error: new Tally({ outcome: 'error' }),
  } satisfies Record<IntrospectionOutcome, Tally>;
  const kinds = {
    grant: new Tally({ kind: 'grant' }),
    refresh: new Tally({ kind: 'refresh' }),
  } satisfies Record<IssuanceKind, Tally>;
  new Counter({
    name: IDP_METRIC_NAMES.requests,
    help: 'HTTP requests answered by the IdP, by endpoint (token, introspect, …, console, other) and status.',
    labelNames: ['endpoint', 'status'],
    registers,
    collect() {
      for (const byStatus of requestTallies.values())
        for (const tally of byStatus.values()) tally.report(this);
    },
  });
  new Counter({
    name: IDP_METRIC_NAMES.introspections,
    help: 'Introspections answered (HTTP and gRPC), by outcome: active, inactive, error.',
    labelNames: ['outcome'],
    registers,
    collect() {
      for (const tally of Object.values(outcomes)) tally.report(this);
    },
  });
  new Counter({
    name: IDP_METRIC_NAMES.tokensIssued,
    help: 'Token responses issued, by kind: grant (a new grant) or refresh (a refresh-token exchange).',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const tally of Object.values(kinds)) tally.report(this);
    },
  });
  const requestTally = (endpoint: string, status: number): Tally => {
    let byStatus = requestTallies.get(endpoint);
    if (!byStatus) {
      byStatus = new Map();
      requestTallies.set(endpoint, byStatus);
    }
    let tally = byStatus.get(status);
    if (!tally) {
      tally = new Tally({ endpoint, status: String(status) });
      byStatus.set(status, tally);
    }
    return tally;
  };
  return {
    request: (endpoint, status) => {
      requestTally(endpoint, status).count++;
    },
    introspection: (outcome) => {
      outcomes[outcome].count++;
    },
    issued: (kind) => {
      kinds[kind].count++;
    },
  };
}

const ignore = () => {};

/** Counts the outcome of `work`, passing its result or error through (one promise, no async frame). */
function counted<T>(work: Promise<T>, success: (value: T) => void, failure: () => void): Promise<T> {
  return work.then(
    (value) => {
      success(value);
      return value;
    },
    (error: unknown) => {
      failure();
      throw error;
    },
  );
}

/**
 * `tokens` with its introspections and issuances counted. Only what callers of the endpoints do is counted:
 * the IdP hands this wrapper to its endpoints and keeps the plain service for itself and its console.
 * Every other method (today's and any added later) reaches the service unchanged, bound to it.
 */
export function countTokenOperations(tokens: TokenService, metrics: IdpMetrics): TokenService {
  const overrides: Partial<TokenService> = {
    issue: (request) => counted(tokens.issue(request), () => metrics.issued('grant'), ignore),
    refresh: (realm, client, refreshToken, scope) =>
      counted(tokens.refresh(realm, client, refreshToken, scope), () => metrics.issued('refresh'), ignore),
    introspect: (request) =>
      counted(
        tokens.introspect(request),
        (answer) => metrics.introspection(answer.active === true ? 'active' : 'inactive'),
        () => metrics.introspection('error'),
      ),
  };
  return new Proxy(tokens, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof TokenService];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Paths whose endpoint label is remembered; beyond it the oldest is forgotten (paths are the client's). */
const REMEMBERED_PATHS = 1024;

/** `listener` with each finished response counted under the endpoint `endpointOf` names for its path. */
export function countRequests(
  metrics: IdpMetrics,
  endpointOf: (path: string) => string,
  listener: Listener,
): Listener {
  const endpoints = new Map<string, string>();
  const endpointOfTarget = (target: string): string => {
    const question = target.indexOf('?');
    const path = question === -1 ? target : target.slice(0, question);
    let endpoint = endpoints.get(path);
    if (endpoint === undefined) {
      endpoint = endpointOf(path);
      if (endpoints.size >= REMEMBERED_PATHS) endpoints.delete(endpoints.keys().next().value!);
      endpoints.set(path, endpoint);
    }
    return endpoint;
  };
  // One listener for every response: node passes the response as `this`, and it knows its request.
  function onFinish(this: ServerResponse): void {
    metrics.request(endpointOfTarget(this.req.url ?? ''), this.statusCode);
  }
  return (request, response) => {
    response.on('finish', onFinish);
    listener(request, response);
  };
}

/** The `endpoint` label of a request path: a protocol or browser endpoint's name, `console`, or `other`. */
export function requestEndpoint(path: string, profiles: readonly Profile[]): string {
  if (matchConsolePath(path)) return 'console';
  return matchRoute(path, profiles)?.endpoint ?? matchBrowserRoute(path, profiles)?.endpoint ?? 'other';
}

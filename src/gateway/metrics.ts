/**
 * @module gateway/metrics
 * The gateway's own Prometheus metrics, beside the library's (introspections, caches, IdP latency):
 * requests by route and status, upstream exchange duration, decisions by outcome, and upstream health.
 * Route names come from the configuration, so label cardinality is bounded by it.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProxyOutcome } from './proxy/types.ts';

export type DecisionOutcome =
  | 'allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'invalid'
  | 'not_found';

export interface GatewayMetrics {
  /** One answered request of the proxy listener (`route` is `none` when no route matched). */
  request(route: string, status: number): void;
  /** One upstream exchange of a route, from the engine's result. */
  upstream(route: string, outcome: ProxyOutcome, seconds: number): void;
  decision(outcome: DecisionOutcome): void;
  /** An upstream URL left the rotation (`false`) or came back (`true`). */
  upstreamHealth(upstream: string, healthy: boolean): void;
}

export function createGatewayMetrics(registry: Registry, prefix = 'tokenguard_gateway_'): GatewayMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: `${prefix}requests_total`,
    help: 'Requests answered by the proxy listener, by route and status.',
    labelNames: ['route', 'status'],
    registers,
  });
  const upstreamDuration = new Histogram({
    name: `${prefix}upstream_duration_seconds`,
    help: 'Duration of upstream exchanges (to the end of the response), by route and outcome.',
    labelNames: ['route', 'outcome', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const decisions = new Counter({
    name: `${prefix}decisions_total`,
    help: 'Answers of the decision endpoint, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const health = new Gauge({
    name: `${prefix}upstream_healthy`,
    help: '1 while an upstream URL is in rotation, 0 while passive health checks skip it.',
    labelNames: ['upstream'],
    registers,
  });
  return {
    request: (route, status) => requests.inc({ route, status: String(status) }),
    upstream: (route, outcome, seconds) =>
      upstreamDuration.observe({ route, outcome: outcome.kind, status: String(outcome.status) }, seconds),
    decision: (outcome) => decisions.inc({ outcome }),
    upstreamHealth: (upstream, healthy) => health.set({ upstream }, healthy ? 1 : 0),
  };
}

/**
 * @module gateway/metrics
 * The gateway's own Prometheus metrics, beside the library's (introspections, caches, IdP latency):
 * requests by route and status, upstream exchange duration, decisions by outcome, and upstream health.
 * Route names come from the configuration, so label cardinality is bounded by it.
 *
 * The two per-request series stay off prom-client's labelled calls on the hot path, which build, validate
 * and hash a label set on every call: requests are counted in plain numbers and added to the counter
 * when it is collected (a scrape), and upstream durations go to a `BoundHistogram` series bound once per
 * route, outcome and status.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram.ts';
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

/** The map under `key` in `outer`, made empty the first time. */
function inner<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let found = outer.get(key);
  if (found === undefined) {
    found = new Map();
    outer.set(key, found);
  }
  return found;
}

export function createGatewayMetrics(registry: Registry, prefix = 'tokenguard_gateway_'): GatewayMetrics {
  const registers = [registry];
  /** Requests not yet added to the counter, by route and status. */
  const uncounted = new Map<string, Map<number, number>>();
  const requests: Counter<'route' | 'status'> = new Counter({
    name: `${prefix}requests_total`,
    help: 'Requests answered by the proxy listener, by route and status.',
    labelNames: ['route', 'status'],
    registers,
    collect() {
      for (const [route, byStatus] of uncounted) {
        for (const [status, count] of byStatus) {
          if (count === 0) continue;
          requests.inc({ route, status: String(status) }, count);
          byStatus.set(status, 0);
        }
      }
    },
  });
  const upstreamDuration = new BoundHistogram({
    name: `${prefix}upstream_duration_seconds`,
    help: 'Duration of upstream exchanges (to the end of the response), by route and outcome.',
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
  /** Bound histogram series by route, then by status and outcome (`status * 2 + 1` when failed). */
  const durations = new Map<string, Map<number, (seconds: number) => void>>();
  function durationSeries(route: string, outcome: ProxyOutcome) {
    const byRoute = inner(durations, route);
    const key = outcome.status * 2 + (outcome.kind === 'failed' ? 1 : 0);
    let series = byRoute.get(key);
    if (series === undefined) {
      series = upstreamDuration.series({ route, outcome: outcome.kind, status: String(outcome.status) });
      byRoute.set(key, series);
    }
    return series;
  }
  return {
    request(route, status) {
      const byStatus = inner(uncounted, route);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    upstream: (route, outcome, seconds) => durationSeries(route, outcome)(seconds),
    decision: (outcome) => decisions.inc({ outcome }),
    upstreamHealth: (upstream, healthy) => health.set({ upstream }, healthy ? 1 : 0),
  };
}

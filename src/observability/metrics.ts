/**
 * @module observability/metrics
 * Prometheus metrics (prom-client) on a registry the user passes; nothing is registered globally.
 * Without a registry every recorder is a no-op, so the hot path pays nothing.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CacheEvents } from '../cache/types.ts';
import { TallyMap } from './tally.ts';

/** Outcome of one authentication, as go-authkit's `token_introspections_total{status}` plus ours. */
export type AuthOutcome =
  | 'active'
  | 'not_active'
  | 'invalid_claims'
  | 'service_unavailable'
  | 'throttled'
  | 'error'
  | 'jwt_valid'
  | 'jwt_invalid'
  /** A cached answer past its freshness served because the IdP was unavailable (`staleIfError`). */
  | 'stale';

export type IdpOperation = 'introspect' | 'discovery' | 'jwks' | 'token';

export interface Metrics extends CacheEvents {
  authentication(outcome: AuthOutcome): void;
  /** Duration of one call to the IdP; `status` is the HTTP status, `0` on a transport error. */
  idpCall(operation: IdpOperation, status: number, seconds: number): void;
  cacheSize(cache: string, entries: number): void;
}

export const noopMetrics: Metrics = {
  authentication() {},
  idpCall() {},
  cacheSize() {},
  hit() {},
  miss() {},
  eviction() {},
};

export interface MetricsOptions {
  registry: Registry;
  /** Metric name prefix. */
  prefix?: string;
}

/** Creates the metrics on `registry`. Calling it twice on one registry with one prefix is an error. */
export function createMetrics({ registry, prefix = 'tokenguard_' }: MetricsOptions): Metrics {
  const registers = [registry];
  const authentications = new Counter({
    name: `${prefix}authentications_total`,
    help: 'Token authentications by outcome (introspection answers and local JWT checks).',
    labelNames: ['outcome'],
    registers,
  });
  const idpDuration = new Histogram({
    name: `${prefix}idp_request_duration_seconds`,
    help: 'Duration of calls to the IdP by operation and HTTP status (0 = transport error).',
    labelNames: ['operation', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  // Cache events happen on every request: counted as plain numbers, handed to prom-client when it collects.
  const hitTallies = new TallyMap('cache');
  const missTallies = new TallyMap('cache');
  const evictionTallies = new TallyMap('cache');
  const cacheLabel = { labelNames: ['cache'] as const, registers };
  new Counter({
    name: `${prefix}cache_hits_total`,
    help: 'Cache hits.',
    ...cacheLabel,
    collect() {
      hitTallies.report(this);
    },
  });
  new Counter({
    name: `${prefix}cache_misses_total`,
    help: 'Cache misses.',
    ...cacheLabel,
    collect() {
      missTallies.report(this);
    },
  });
  new Counter({
    name: `${prefix}cache_evictions_total`,
    help: 'Entries evicted to stay within maxEntries.',
    ...cacheLabel,
    collect() {
      evictionTallies.report(this);
    },
  });
  const entries = new Gauge({ name: `${prefix}cache_entries`, help: 'Entries held.', ...cacheLabel });
  return {
    authentication: (outcome) => authentications.inc({ outcome }),
    idpCall: (operation, status, seconds) =>
      idpDuration.observe({ operation, status: String(status) }, seconds),
    cacheSize: (cache, size) => entries.set({ cache }, size),
    hit: (cache) => hitTallies.add(cache),
    miss: (cache) => missTallies.add(cache),
    eviction: (cache) => evictionTallies.add(cache),
  };
}

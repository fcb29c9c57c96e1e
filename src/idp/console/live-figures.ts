/**
 * @module idp/console/live-figures
 * The console's live figures, read from the IdP's own Prometheus counters (`idp/metrics`) on the registry
 * the IdP records them in: the same numbers a scrape of that registry gives. Counters only ever grow, so
 * rates come from differences between readings: every reading is kept (a few minutes' worth) and the
 * rate per minute is measured against the oldest reading of the last minute. The console's own page loads
 * are counted under the `console` endpoint and left out of the protocol request total.
 */
import type { Registry } from 'prom-client';
import { IDP_METRIC_NAMES } from '../metrics.ts';

export interface CountByLabel {
  label: string;
  count: number;
}

export interface Figures {
  /** When read, epoch milliseconds. */
  at: number;
  /** Protocol requests (every endpoint but the console). */
  requests: number;
  /** Requests by `endpoint status`, console included, most first. */
  requestsBy: CountByLabel[];
  introspections: { active: number; inactive: number; error: number };
  tokensIssued: number;
  /** Per minute over the last minute; undefined until two readings are at least a second apart. */
  rates: { requests?: number; introspections?: number; tokensIssued?: number };
}

interface Reading {
  at: number;
  requests: number;
  introspections: number;
  tokensIssued: number;
}

type Values = { value: number; labels: Record<string, string | number | undefined> }[];

const WINDOW_MS = 60_000;
const KEEP_MS = 5 * 60_000;
const MAX_READINGS = 600;

async function valuesOf(registry: Registry, name: string): Promise<Values> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Values) : [];
}

const sum = (values: Values) => values.reduce((total, entry) => total + entry.value, 0);

export class LiveFigures {
  readonly #registry: Registry;
  readonly #now: () => number;
  readonly #readings: Reading[] = [];

  constructor(registry: Registry, now: () => number = Date.now) {
    this.#registry = registry;
    this.#now = now;
  }

  async read(): Promise<Figures> {
    const [requests, introspections, issued] = await Promise.all([
      valuesOf(this.#registry, IDP_METRIC_NAMES.requests),
      valuesOf(this.#registry, IDP_METRIC_NAMES.introspections),
      valuesOf(this.#registry, IDP_METRIC_NAMES.tokensIssued),
    ]);
    const byOutcome = (outcome: string) =>
      sum(introspections.filter((entry) => entry.labels.outcome === outcome));
    const reading: Reading = {
      at: this.#now(),
      requests: sum(requests.filter((entry) => entry.labels.endpoint !== 'console')),
      introspections: sum(introspections),
      tokensIssued: sum(issued),
    };
    const rates = this.#rates(reading);
    this.#remember(reading);
    return {
      at: reading.at,
      requests: reading.requests,
      requestsBy: requests
        .map((entry) => ({ label: `${entry.labels.endpoint} ${entry.labels.status}`, count: entry.value }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
      introspections: {
        active: byOutcome('active'),
        inactive: byOutcome('inactive'),
        error: byOutcome('error'),
      },
      tokensIssued: reading.tokensIssued,
      rates,
    };
  }

  #rates(current: Reading): Figures['rates'] {
    const since = this.#readings.find((reading) => current.at - reading.at <= WINDOW_MS);
    const elapsed = since ? current.at - since.at : 0;
    if (!since || elapsed < 1000) return {};
    const perMinute = (delta: number) => Math.round((delta * 60_000 * 10) / elapsed) / 10;
    return {
      requests: perMinute(current.requests - since.requests),
      introspections: perMinute(current.introspections - since.introspections),
      tokensIssued: perMinute(current.tokensIssued - since.tokensIssued),
    };
  }

  #remember(reading: Reading): void {
    this.#readings.push(reading);
    while (
      this.#readings.length > MAX_READINGS ||
      (this.#readings.length > 0 && reading.at - this.#readings[0].at > KEEP_MS)
    ) {
      this.#readings.shift();
    }
  }
}

/**
 * @module gateway/proxy/context
 * What the forwarding and Upgrade paths of one upstream share: its spec, targets and balancer, how errors
 * are answered, where logs and metrics go, and the count of exchanges in flight (which `close()` awaits).
 */
import type { Logger } from '../../observability/logger.ts';
import type { Balancer } from './balancer.ts';
import type { ErrorStyle } from './errors.ts';
import type { Target, TargetTls } from './targets.ts';
import type { ProxyOutcome, UpstreamSpec } from './types.ts';

/**
 * Metrics hooks of the proxy engine (implemented over prom-client by the gateway; every hook optional).
 */
export interface ProxyMetrics {
  /**
   * One exchange ended. `upstream` is the URL last tried (undefined when none was), `status` what the
   * client got (the upstream's status, or the engine's 502/504; 101 for an established tunnel).
   */
  onResult?(outcome: ProxyOutcome, durationMs: number): void;
  /** An upstream URL left the rotation (`healthy: false`) or came back (`true`). */
  onHealthChange?(upstream: string, healthy: boolean): void;
}

export interface ProxyContext {
  readonly spec: UpstreamSpec;
  readonly balancer: Balancer<Target>;
  readonly tls: TargetTls;
  readonly style: ErrorStyle;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics | undefined;
  /** Exchanges started and not yet settled; `close()` waits for zero. */
  readonly inFlight: InFlight;
  /** Established Upgrade tunnels (destroyed by `close({ tunnels: 'destroy' })`). */
  readonly tunnels: Set<{ destroy(): void }>;
}

/** A counter of running exchanges with a way to wait until none runs. */
export class InFlight {
  #count = 0;
  #idle: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  enter(): void {
    this.#count++;
  }

  leave(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/**
 * @module test/scale-out/support/deployment
 * The scale-out topology of docs/SCALE-OUT.md on loopback, with real processes: two `tokenguard idp` replicas
 * on one PostgreSQL schema publishing revocations on a Redis, a "load balancer" (a TCP proxy to replica A)
 * whose URL is the replicas' one issuer (SETs, discovery and JWKS are fetched through it), and any number of
 * `tokenguard gateway` processes, each on Redis (shared cache + events) or on the SSE stream of one replica.
 * Each gateway is returned once its revocation subscription is live (a revocation before that would be
 * missed, as in production before `revocation events live`). Used by the scale-out suite and the revocation
 * benchmark; `close()` stops every process it started, by its own handle.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpProxy } from '../../events/support/tcp-proxy.ts';
import { type CliProcess, startGatewayProcess, startIdpProcess } from './cli-process.ts';
import { gatewayConfig, guideConfigs, idpConfig } from './doc-configs.ts';

/** The gateways' client at the IdP, as the guide declares it. */
export const GATEWAY_CLIENT = { id: 'gateway', secret: 'change-me-gateway-secret' };

/** Clients of the test's applications (added to the guide's), one per token format. */
export const APPS = {
  opaque: { id: 'orders-opaque', secret: 'orders-opaque-secret', tokenFormat: 'opaque' },
  jwt: { id: 'orders-jwt', secret: 'orders-jwt-secret', tokenFormat: 'jwt' },
} as const;

export interface RunningIdp {
  readonly process: CliProcess;
  readonly url: string;
}

export interface RunningGateway {
  readonly name: string;
  readonly process: CliProcess;
  /** The proxy URL. */
  readonly url: string;
  readonly api: string;
}

export interface DeploymentOptions {
  /** Redis of the events and of the shared cache. */
  redis: string;
  /** The PostgreSQL store URL (a schema of the test's own). */
  store: string;
  /** Keys added to the guide's `idp` section (log level, rate limits). */
  idp?: Record<string, unknown>;
}

export class Deployment {
  readonly guide = guideConfigs();
  readonly dir = mkdtempSync(join(tmpdir(), 'tokenguard-scale-out-'));
  readonly #options: DeploymentOptions;
  readonly #processes: CliProcess[] = [];
  #balancer: TcpProxy | undefined;
  #idps: RunningIdp[] = [];

  private constructor(options: DeploymentOptions) {
    this.#options = options;
  }

  /** Starts the balancer and both IdP replicas (together: they migrate the fresh schema at once). */
  static async start(options: DeploymentOptions): Promise<Deployment> {
    const deployment = new Deployment(options);
    try {
      await deployment.#startIdps();
    } catch (error) {
      await deployment.close();
      throw error;
    }
    return deployment;
  }

  /** The replicas' one issuer: the balancer's URL. */
  get issuer(): string {
    return this.#balancer!.url;
  }

  get a(): RunningIdp {
    return this.#idps[0];
  }

  get b(): RunningIdp {
    return this.#idps[1];
  }

  /**
   * Starts gateway `name`: on Redis (`kind: 'redis'`), introspecting at `idp`; or on the SSE stream of
   * `idp` (`kind: 'sse'`, in-process caches only). Resolves once its subscription is live. `logLevel`
   * `debug` adds a `revocation event applied` line per event (the benchmark's clock).
   */
  async gateway(
    name: string,
    kind: 'redis' | 'sse',
    idp: RunningIdp,
    upstream: string,
    options: { logLevel?: 'info' | 'debug' } = {},
  ): Promise<RunningGateway> {
    const config = gatewayConfig(this.guide, kind, {
      idp: idp.url,
      upstream,
      redis: this.#options.redis,
      sse: { issuer: this.issuer, url: `${idp.url}/events/revocations` },
    });
    if (options.logLevel) (config.gateway as Record<string, unknown>).logLevel = options.logLevel;
    const file = join(this.dir, `${name}.yaml`);
    writeFileSync(file, JSON.stringify(config));
    const started = await startGatewayProcess(name, file, this.dir);
    this.#processes.push(started.process);
    await started.process.waitForLog('revocation events live');
    return { name, ...started };
  }

  /** Stops every process started here, the balancer, and deletes the config files. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#processes.map((child) => child.stop()));
    await this.#balancer?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #startIdps(): Promise<void> {
    this.#balancer = await TcpProxy.start();
    const config = idpConfig(
      this.guide,
      { store: this.#options.store, issuer: this.issuer, redis: this.#options.redis },
      { clients: Object.values(APPS), ...this.#options.idp },
    );
    // JSON is YAML: the CLI reads the file as any config file.
    const file = join(this.dir, 'idp.yaml');
    writeFileSync(file, JSON.stringify(config));
    const starting = ['idp-a', 'idp-b'].map((name) => startIdpProcess(name, file, this.dir));
    const settled = await Promise.allSettled(starting);
    for (const result of settled)
      if (result.status === 'fulfilled') this.#processes.push(result.value.process);
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    this.#idps = settled.map((result) => (result as PromiseFulfilledResult<RunningIdp>).value);
    this.#balancer.restore(this.a.url);
  }
}

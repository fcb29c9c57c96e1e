/**
 * @module gateway/proxy/upstream
 * `createUpstream`: the proxy engine for one route's upstream. It binds the spec's URLs to keep-alive
 * undici pools, puts them behind round-robin with passive health checks, and exposes the three operations
 * of the `Upstream` contract: `forward` (streamed HTTP exchange), `upgrade` (WebSocket tunnel) and
 * `close` (drain, then release the pools).
 *
 * @example
 * ```ts
 * const upstream = createUpstream(spec, { logger, errorDomain: 'tokenguard' });
 * server.on('request', (req, res) => upstream.forward(req, res, plan));
 * server.on('upgrade', (req, socket, head) => upstream.upgrade(req, socket, head, plan));
 * // on config reload: await upstream.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { configInvalid, TokenguardError } from '../../errors/tokenguard-error.ts';
import { type Logger, silentLogger } from '../../observability/logger.ts';
import { Balancer } from './balancer.ts';
import { InFlight, type ProxyContext, type ProxyMetrics } from './context.ts';
import { rawErrorResponse, writeError } from './errors.ts';
import { forward } from './forward.ts';
import { createTargets, type Target, tlsOf } from './targets.ts';
import type { ForwardPlan, ProxyOutcome, Upstream, UpstreamSpec } from './types.ts';
import { upgrade } from './upgrade.ts';

export type { ProxyMetrics } from './context.ts';

export interface UpstreamDeps {
  /** Failures (warn) and health changes; default silent. */
  readonly logger?: Logger;
  readonly metrics?: ProxyMetrics;
  /** Clock of the health cooldowns, ms (default `Date.now`). */
  readonly now?: () => number;
  /** `domain` of error bodies and realm of challenges (seed 000: `tokenguard`). */
  readonly errorDomain?: string;
}

/**
 * Builds the engine for `spec`. Throws `configInvalid` for an unusable spec (no URL, a URL that is not
 * http(s), a count below 1), before any pool exists.
 */
export function createUpstream(spec: UpstreamSpec, deps: UpstreamDeps = {}): Upstream {
  checkSpec(spec);
  const logger = deps.logger ?? silentLogger;
  const domain = deps.errorDomain ?? 'tokenguard';
  const style = { domain, realm: domain };
  const tls = tlsOf(spec);
  const { targets, pools } = createTargets(spec, tls);
  const balancer = new Balancer<Target>(targets, {
    unhealthyAfterFailures: spec.unhealthyAfterFailures,
    unhealthyCooldownMs: spec.unhealthyCooldownMs,
    now: deps.now ?? Date.now,
    onHealthChange(target, healthy) {
      if (healthy) logger.info({ upstream: target.url }, 'upstream back in rotation');
      else {
        logger.warn(
          { upstream: target.url, cooldown_ms: spec.unhealthyCooldownMs },
          'upstream out of rotation after consecutive failures',
        );
      }
      deps.metrics?.onHealthChange?.(target.url, healthy);
    },
  });
  const context: ProxyContext = {
    spec,
    balancer,
    tls,
    style,
    logger,
    metrics: deps.metrics,
    inFlight: new InFlight(),
    tunnels: new Set(),
  };
  let closing: Promise<void> | undefined;

  return {
    spec,
    forward(request: IncomingMessage, response: ServerResponse, plan: ForwardPlan): Promise<ProxyOutcome> {
      if (closing) {
        writeError(response, closedError(), style);
        return Promise.resolve(CLOSED);
      }
      return forward(context, request, response, plan);
    },
    upgrade(
      request: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      plan: ForwardPlan,
    ): Promise<ProxyOutcome> {
      if (closing) {
        socket.end(rawErrorResponse(closedError(), style), () => socket.destroy());
        return Promise.resolve(CLOSED);
      }
      return upgrade(context, request, socket, head, plan);
    },
    close(options = {}): Promise<void> {
      closing ??= (async () => {
        const drained = await settleWithin(context.inFlight.idle(), options.graceMs);
        await Promise.all(pools.map((pool) => (drained ? pool.close() : pool.destroy())));
        if (options.tunnels === 'destroy') for (const tunnel of [...context.tunnels]) tunnel.destroy();
      })();
      return closing;
    },
  };
}

/** What a request gets once `close()` was called: the engine's 502, without trying an upstream. */
const CLOSED: ProxyOutcome = {
  kind: 'failed',
  upstream: undefined,
  status: 502,
  reason: 'upstream_unreachable',
};

function closedError(): TokenguardError {
  return new TokenguardError('upstreamUnavailable', 'upstream_unreachable', { detail: 'upstream closed' });
}

/** Whether `promise` settled within `ms` (always, when `ms` is undefined). */
async function settleWithin(promise: Promise<void>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function checkSpec(spec: UpstreamSpec): void {
  if (spec.urls.length === 0) throw configInvalid('upstream.urls', 'at least one URL is needed');
  const counts = {
    connections: spec.connections,
    unhealthyAfterFailures: spec.unhealthyAfterFailures,
  } as const;
  for (const [key, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 1)
      throw configInvalid(`upstream.${key}`, 'must be an integer ≥ 1');
  }
  const durations = {
    connectTimeoutMs: [spec.connectTimeoutMs, 1],
    headersTimeoutMs: [spec.headersTimeoutMs, 1],
    // 0: no idle limit on response bodies (undici's meaning)
    bodyTimeoutMs: [spec.bodyTimeoutMs, 0],
    unhealthyCooldownMs: [spec.unhealthyCooldownMs, 0],
  } as const;
  for (const [key, [value, least]] of Object.entries(durations)) {
    if (!Number.isFinite(value) || value < least) {
      throw configInvalid(`upstream.${key}`, `must be a duration of at least ${least} ms`);
    }
  }
}

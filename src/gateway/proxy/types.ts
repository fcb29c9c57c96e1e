/**
 * @module gateway/proxy/types
 * The contract between the gateway's routing and authentication (which decides *whether* and *with which
 * identity headers* a request goes upstream) and the proxy engine (which moves bytes: streaming bodies,
 * keep-alive pools, WebSocket upgrades, hop-by-hop headers, timeouts, 502/504).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** One upstream service: one or several base URLs behind round-robin with passive health checks. */
export interface UpstreamSpec {
  /** Base URLs (`http://10.0.0.5:8080`, `https://svc/base`); a path of the base is prefixed to requests. */
  readonly urls: readonly string[];
  /** Forward the client's `Host` instead of the upstream's (as Oathkeeper `preserve_host`). */
  readonly preserveHost: boolean;
  /** Removed from the start of the request path before it is forwarded (after route matching). */
  readonly stripPrefix: string;
  /** Time to connect to an upstream, ms. */
  readonly connectTimeoutMs: number;
  /** Time from request sent to response headers, ms (504 after it). */
  readonly headersTimeoutMs: number;
  /** Idle time allowed between body chunks in either direction, ms. */
  readonly bodyTimeoutMs: number;
  /** Keep-alive connections per upstream origin. */
  readonly connections: number;
  /** Passive health: after this many consecutive failures an upstream URL is skipped... */
  readonly unhealthyAfterFailures: number;
  /** ...for this long, ms, then tried again. */
  readonly unhealthyCooldownMs: number;
  /** TLS to https upstreams: CA file and whether to verify (default true). */
  readonly tls?: { readonly caCert?: string; readonly rejectUnauthorized: boolean };
}

/** What the gateway decided for one request, handed to the proxy engine. */
export interface ForwardPlan {
  /** Lower-case names of client headers to drop before forwarding (credential, spoofed identity headers). */
  readonly removeHeaders: ReadonlySet<string>;
  /** Headers to set on the upstream request, overwriting any client copy (identity headers). */
  readonly setHeaders: Readonly<Record<string, string>>;
  /** The request id (also sent upstream as `X-Request-ID`). */
  readonly requestId: string;
}

/**
 * Why an exchange did not end as one complete upstream answer: logged as `error_reason`. The first four are
 * `ErrorReason`s of the engine's own 502/504 (or of a body cut after the status was sent); `client_closed`
 * says the client went away first (nginx logs such requests as 499).
 */
export type ProxyFailureReason =
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_bad_response'
  | 'internal_error'
  | 'client_closed';

export type ProxyOutcome =
  /**
   * The upstream's status went to the client (101 for an established tunnel). `reason` is set when the
   * body was cut afterwards (upstream broke, or client closed): the response was destroyed, not ended.
   */
  | {
      readonly kind: 'proxied';
      readonly upstream: string;
      readonly status: number;
      readonly reason?: ProxyFailureReason;
    }
  /**
   * The engine answered itself: 502 (unreachable, all unhealthy, bad response) or 504 (timeout). With
   * `reason: 'client_closed'` nothing was answered: the client left before the upstream's status came.
   */
  | {
      readonly kind: 'failed';
      readonly upstream: string | undefined;
      readonly status: 502 | 504;
      readonly reason?: ProxyFailureReason;
    };

/** A pool of upstreams for one route, built once per config (and closed when the config is replaced). */
export interface Upstream {
  readonly spec: UpstreamSpec;
  /**
   * Forwards `request` and streams the answer into `response` (neither body is buffered). On upstream
   * failure before the response started, writes a 502/504 with the JSON error body of seed 000 (built by
   * `writeError`); after it started, destroys the response.
   */
  forward(request: IncomingMessage, response: ServerResponse, plan: ForwardPlan): Promise<ProxyOutcome>;
  /**
   * Passes a WebSocket (or any `Upgrade`) request through: the 101 and then bytes both ways. Resolves once
   * the tunnel is established (101 relayed) or the request was answered otherwise (the upstream's own
   * non-101 answer, or the engine's raw 502/504); the tunnel then runs until either side closes.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, plan: ForwardPlan): Promise<ProxyOutcome>;
  /**
   * Closes the pools once in-flight requests finish (new ones are answered 502). Established tunnels keep
   * running unless `tunnels: 'destroy'` (process shutdown); `graceMs` bounds the wait, after which
   * exchanges still running are cut.
   */
  close(options?: { readonly tunnels?: 'keep' | 'destroy'; readonly graceMs?: number }): Promise<void>;
}

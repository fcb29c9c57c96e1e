/**
 * @module gateway/proxy/targets
 * The upstream URLs of one spec, each bound to an undici `Pool` of keep-alive connections to its origin
 * (one pool per origin: two URLs on one origin with different base paths share connections). Pools are
 * built once per config; timeouts are those of the spec, TLS settings apply to https origins.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { configInvalid } from '../../errors/tokenguard-error.ts';
import { basePathOf } from './path.ts';
import type { UpstreamSpec } from './types.ts';

/** One upstream URL, ready to be sent to. */
export interface Target {
  /** The URL as configured (named in outcomes, logs and metrics). */
  readonly url: string;
  readonly origin: string;
  /** Path prefix of the URL, without trailing slash. */
  readonly basePath: string;
  /** `Host` value for the upstream (`host[:port]`, default ports omitted). */
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  readonly secure: boolean;
  readonly pool: Pool;
}

/** TLS settings of https upstreams, as node:tls takes them. */
export interface TargetTls {
  readonly ca?: string | Buffer;
  readonly rejectUnauthorized: boolean;
}

/** Reads `spec.tls` once: `caCert` is a PEM text or the path of a PEM file. */
export function tlsOf(spec: UpstreamSpec): TargetTls {
  const caCert = spec.tls?.caCert;
  const rejectUnauthorized = spec.tls?.rejectUnauthorized ?? true;
  if (!caCert) return { rejectUnauthorized };
  return { ca: caCert.includes('-----BEGIN') ? caCert : readFileSync(caCert), rejectUnauthorized };
}

/** Builds the targets of `spec` and the pools behind them (every URL is checked before a pool exists). */
export function createTargets(spec: UpstreamSpec, tls: TargetTls): { targets: Target[]; pools: Pool[] } {
  const urls = spec.urls.map(parseUpstreamUrl);
  const pools = new Map<string, Pool>();
  const targets = urls.map((url, index) => {
    const secure = url.protocol === 'https:';
    let pool = pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections: spec.connections,
        // 0: off; forward.ts times response headers itself (upload progress restarts its timer)
        headersTimeout: 0,
        bodyTimeout: spec.bodyTimeoutMs,
        connect: { timeout: spec.connectTimeoutMs, ...(secure ? tls : {}) },
      });
      pools.set(url.origin, pool);
    }
    return {
      url: spec.urls[index],
      origin: url.origin,
      basePath: basePathOf(url),
      host: url.host,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      secure,
      pool,
    };
  });
  return { targets, pools: [...pools.values()] };
}

function parseUpstreamUrl(text: string, index: number): URL {
  const path = `upstream.urls[${index}]`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configInvalid(path, `"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configInvalid(path, `"${text}" is neither http nor https`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw configInvalid(path, `"${text}" may hold no query, fragment or credentials`);
  }
  return url;
}

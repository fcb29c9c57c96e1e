/**
 * Scenario 7: RFC 7662 introspection over gRPC vs HTTP against the same IdP, same run. The IdP (HTTP and
 * its gRPC service over one store) runs in a child process pinned to core 0; this process, pinned to core
 * 1, drives the library's own transports (`HttpIntrospectionTransport`, `GrpcIntrospectionTransport`, no
 * cache in front) with a fixed number of `introspect()` calls in flight for a fixed time, in alternating
 * rounds (the first transport of a round alternates too, against drift). Reports calls/s and p50 / p99
 * latency of each, and the gRPC / HTTP ratio (medians over rounds).
 *
 * `BENCH_DURATION` (seconds per transport and round, default 4), `--rounds N` (default 3).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { authConfigSchema } from '../src/config/schema.ts';
import { DiscoveryClient } from '../src/discovery/discovery-client.ts';
import { createGrpcIntrospectionTransport } from '../src/grpc/grpc-transport.ts';
import { HttpIntrospectionTransport } from '../src/introspection/http-transport.ts';
import type { IntrospectionAnswer, IntrospectionTransport } from '../src/introspection/types.ts';
import { HttpClient } from '../src/util/http-client.ts';
import { firstJsonLine, median, pinSelf, rounds, save, spawnPinned } from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const IN_FLIGHT = 64;
const WARM_UP_S = 1;

interface ServerInfo {
  url: string;
  grpcAddress: string;
  introspectPath: string;
  introspector: string;
  token: string;
}

interface Sample {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Cores busy on average: the IdP process (all its threads), and this one. */
  idpCores: number;
  clientCores: number;
}

const PINNED = pinSelf();

/** The IdP child, on core 0 when pinned; its first stdout line. */
async function startIdp(): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = spawnPinned(PINNED, new URL('./servers/grpc-idp-server.ts', import.meta.url).pathname);
  return { child, info: await firstJsonLine<ServerInfo>(child) };
}

/** Clock ticks per second of /proc times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds used so far by process `pid` (user + system, all threads); NaN without /proc (not Linux). */
function cpuSeconds(pid: number): number {
  try {
    // stat(5) fields 14 (utime) and 15 (stime); the split leaves field 3 (state) at index 0.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The value at quantile `q` of sorted `values`. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** `IN_FLIGHT` callers, each starting its next call when the last one answered, for `seconds`. */
async function drive(
  transport: IntrospectionTransport,
  token: string,
  seconds: number,
  idpPid: number,
): Promise<Sample> {
  const latencies: number[] = [];
  const idpBefore = cpuSeconds(idpPid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const before = performance.now();
      const answer = await transport.introspect(token);
      latencies.push(performance.now() - before);
      if (answer.active !== true) throw new Error('the token was answered inactive');
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, caller));
  const elapsed = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const sorted = Float64Array.from(latencies).sort();
  return {
    callsPerSecond: latencies.length / elapsed,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    idpCores: (cpuSeconds(idpPid) - idpBefore) / elapsed,
    clientCores: (client.user + client.system) / 1e6 / elapsed,
  };
}

const { child, info } = await startIdp();
// The library's defaults (64 keep-alive connections, 5 s timeouts), the seed 000 caller and scope filter.
const { introspection, httpClient } = authConfigSchema.parse({
  introspection: {
    endpoint: `${info.url}${info.introspectPath}`,
    grpc: { endpoint: info.grpcAddress },
    clientAuth: { method: 'bearer', accessToken: info.introspector },
    scopeFilter: [{ rn: 'my_service' }],
  },
});
const http = new HttpClient({
  timeoutMs: httpClient.requestTimeout,
  retries: httpClient.retries,
  retryBackoffMs: httpClient.retryBackoff,
  connections: httpClient.connections,
});
const metadata = new DiscoveryClient({
  http,
  ttlMs: introspection.endpointDiscoveryCache.ttl,
  maxEntries: introspection.endpointDiscoveryCache.maxEntries,
});
const transports: Record<'http' | 'grpc', IntrospectionTransport> = {
  http: new HttpIntrospectionTransport(introspection, { http, metadata }),
  grpc: await createGrpcIntrospectionTransport(introspection),
};

try {
  // Both must be measuring the same work: the same answer (a single `aud` travels as a list over gRPC).
  const sameForm = (answer: IntrospectionAnswer) => ({ ...answer, aud: [answer.aud ?? []].flat() });
  assert.deepEqual(
    sameForm(await transports.grpc.introspect(info.token)),
    sameForm(await transports.http.introspect(info.token)),
  );
  const idpPid = child.pid as number;
  for (const transport of Object.values(transports)) await drive(transport, info.token, WARM_UP_S, idpPid);

  const samples: Record<'http' | 'grpc', Sample[]> = { http: [], grpc: [] };
  for (let round = 0; round < rounds(3); round++) {
    const order = round % 2 === 0 ? (['http', 'grpc'] as const) : (['grpc', 'http'] as const);
    for (const name of order)
      samples[name].push(await drive(transports[name], info.token, DURATION_S, idpPid));
  }
  const m = (name: 'http' | 'grpc', figure: keyof Sample) => median(samples[name].map((s) => s[figure]));
  const callsHttp = m('http', 'callsPerSecond');
  const callsGrpc = m('grpc', 'callsPerSecond');
  const ms = (value: number) => Number(value.toFixed(2));
  save({
    scenario: 'grpc-vs-http',
    figures: {
      'introspection calls/s: HTTP': Math.round(callsHttp),
      'introspection calls/s: gRPC': Math.round(callsGrpc),
      'ratio gRPC / HTTP (calls/s)': Number((callsGrpc / callsHttp).toFixed(2)),
      'latency p50, ms: HTTP': ms(m('http', 'p50Ms')),
      'latency p50, ms: gRPC': ms(m('grpc', 'p50Ms')),
      'latency p99, ms: HTTP': ms(m('http', 'p99Ms')),
      'latency p99, ms: gRPC': ms(m('grpc', 'p99Ms')),
      'IdP process, cores busy: HTTP': ms(m('http', 'idpCores')),
      'IdP process, cores busy: gRPC': ms(m('grpc', 'idpCores')),
      'client process, cores busy: HTTP': ms(m('http', 'clientCores')),
      'client process, cores busy: gRPC': ms(m('grpc', 'clientCores')),
    },
    notes: [
      `${IN_FLIGHT} introspect() calls in flight, ${DURATION_S} s per transport and round, ${samples.http.length} alternating rounds, medians; ${WARM_UP_S} s warm-up each`,
      PINNED ? 'IdP pinned to core 0, transports (this process) to core 1' : 'not pinned',
      "the library's transports with its default settings (HTTP: 64 keep-alive connections; gRPC: one HTTP/2 channel), no cache in front",
      'cores busy: CPU time of each process over the round (all threads); below 1 on both sides means they wait on each other rather than on their cores',
      "one IdP process serving both protocols from its default SQLite store; seed 000's static bearer caller; an authkit JWT of admin2 whose answer carries an access policy (scope filter my_service); rate limit and access lines off",
    ],
  });
} finally {
  await Promise.all(Object.values(transports).map((transport) => transport.close()));
  await http.close();
  child.kill();
}

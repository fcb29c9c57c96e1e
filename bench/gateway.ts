/**
 * Scenario 7 (issue 8) and issue 6's performance targets: what the gateway costs in front of an upstream.
 * One run, alternating rounds, the same upstream (a node:http hello server in its own process) behind:
 *   A. the gateway, route with introspection auth (scope check, `X-User-Id` forwarded), every request a
 *      cache hit (warmed first);
 *   B. the same gateway configuration with the route `auth: public`;
 *   C. a bare undici-based Node proxy (`servers/bare-proxy.ts`).
 * Every server runs in its own process pinned to core 0; autocannon (this process) runs pinned to core 1.
 * Each round measures, in an order that rotates from round to round:
 *   - req/s and autocannon's p50/p99 at saturation (32 connections, whole ms), one variant at a time;
 *   - the proxy's CPU µs per request (its own `process.cpuUsage`, over IPC) at the same fixed rate for all
 *     three, run together so that they share whatever else the machine does (at saturation a slower server
 *     batches more writes per wake-up, which hides its cost);
 *   - p50/p99 over one keep-alive connection per variant, timed here in µs, one request at a time taking
 *     turns A, B, C: the latency a request sees without queueing, each variant under the same noise, so
 *     A − B is what a cache hit adds.
 * Medians over the rounds. Then throughput on a cache miss: every request a token never seen, pre-issued by
 * tokenguard's IdP (own process, on core 0 with the rest), the gateway introspecting each one.
 * Targets: A/B ≥ 0.9, B/C ≥ 0.9, A p99 − B p99 < 1 ms. The machine is shared and noisy: CPU per request is
 * the figure to draw conclusions from.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { Client, Pool } from 'undici';
import { firstJsonLine, median, pinSelf, rounds, save, spawnPinned } from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
/** Fixed rate of each variant in the CPU-per-request runs: far below what any of them sustains. */
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_S = Number(process.env.BENCH_RATE_DURATION ?? 3);
const PROBE_S = Number(process.env.BENCH_PROBE_DURATION ?? 3);
/** Requests of each cache-miss run (each with its own new token). */
const MISS_REQUESTS = Number(process.env.BENCH_MISS_REQUESTS ?? 6000);
const CONNECTIONS = 32;
const PINNED = pinSelf();

interface Child {
  child: ChildProcess;
  url: string;
}

async function start<T extends object = object>(script: string, args: string[] = []): Promise<Child & T> {
  const child = spawnPinned(PINNED, new URL(`./servers/${script}`, import.meta.url).pathname, args, true);
  return { child, ...(await firstJsonLine<{ url: string } & T>(child)) };
}

/** A child's CPU time so far, µs (user + system). */
async function cpuMicros(server: Child): Promise<number> {
  server.child.send('stats');
  for (;;) {
    const [message] = (await once(server.child, 'message')) as [{ cpuMicros?: number }];
    if (message.cpuMicros !== undefined) return message.cpuMicros;
  }
}

/** The CPU µs each of `servers` spent while `run` ran. */
async function cpuDuring<R>(servers: Child[], run: () => Promise<R>): Promise<{ result: R; cpu: number[] }> {
  const before = await Promise.all(servers.map(cpuMicros));
  const result = await run();
  const after = await Promise.all(servers.map(cpuMicros));
  return { result, cpu: after.map((micros, index) => micros - before[index]) };
}

async function cannon(url: string, options: Omit<autocannon.Options, 'url'>): Promise<autocannon.Result> {
  const result = await autocannon({ url: `${url}/orders`, ...options });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result;
}

const VARIANTS = ['auth', 'public', 'bare'] as const;
type Variant = (typeof VARIANTS)[number];
type PerVariant<T> = Record<Variant, T>;

/**
 * Req/s, latency and the proxy's CPU per request at saturation, one variant alone; also the CPU ms that
 * `bystanders` (servers that should be idle meanwhile) spent.
 */
async function saturate(proxy: Child, token: string, bystanders: Child[], seconds = DURATION_S) {
  const { result, cpu } = await cpuDuring([proxy, ...bystanders], () =>
    cannon(proxy.url, {
      connections: CONNECTIONS,
      duration: seconds,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: cpu[0] / result.requests.total,
    bystanderMs: cpu.slice(1).reduce((sum, micros) => sum + micros, 0) / 1000,
  };
}

/** CPU µs per request of each proxy, all three loaded together at `RATE` req/s each. */
async function cpuAtRate(proxies: PerVariant<Child>, token: string, seconds = RATE_S) {
  const runs = VARIANTS.map((variant) =>
    cpuDuring([proxies[variant]], () =>
      cannon(proxies[variant].url, {
        connections: 8,
        overallRate: RATE,
        duration: seconds,
        headers: { authorization: `Bearer ${token}` },
      }),
    ),
  );
  const done = await Promise.all(runs);
  return Object.fromEntries(
    VARIANTS.map((variant, index) => [variant, done[index].cpu[0] / done[index].result.requests.total]),
  ) as PerVariant<number>;
}

const percentile = (sorted: number[], fraction: number) => sorted[Math.floor(sorted.length * fraction)];

/** Latencies (ms) of each proxy over one keep-alive connection, one request at a time, taking turns. */
async function probe(proxies: PerVariant<Child>, token: string, first: number, seconds = PROBE_S) {
  const order = VARIANTS.map((_, index) => VARIANTS[(first + index) % VARIANTS.length]);
  const clients = Object.fromEntries(VARIANTS.map((variant) => [variant, new Client(proxies[variant].url)]));
  const times = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]]));
  const headers = { authorization: `Bearer ${token}` };
  const until = performance.now() + seconds * 1000;
  try {
    while (performance.now() < until) {
      for (const variant of order) {
        const started = performance.now();
        const { statusCode, body } = await clients[variant].request({
          path: '/orders',
          method: 'GET',
          headers,
        });
        await body.dump();
        times[variant].push(performance.now() - started);
        if (statusCode !== 200) throw new Error(`${proxies[variant].url}: status ${statusCode}`);
      }
    }
  } finally {
    await Promise.all(Object.values(clients).map((client) => client.close()));
  }
  return times as PerVariant<number[]>;
}

interface IdpChild extends Child {
  token: string;
  client: { id: string; secret: string };
  paths: { token: string; introspect: string };
}

/** `count` new opaque tokens of the IdP's client (scope `read`), 16 requests at a time. */
async function issueTokens(idp: IdpChild, count: number): Promise<string[]> {
  const pool = new Pool(idp.url, { connections: 16 });
  const authorization = `Basic ${Buffer.from(`${idp.client.id}:${idp.client.secret}`).toString('base64')}`;
  const tokens: string[] = [];
  const worker = async () => {
    while (tokens.length < count) {
      const { statusCode, body } = await pool.request({
        path: idp.paths.token,
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=read',
      });
      const answer = (await body.json()) as { access_token?: string };
      if (statusCode !== 200 || !answer.access_token) throw new Error(`token request: ${statusCode}`);
      tokens.push(answer.access_token);
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    await pool.close();
  }
  return tokens;
}

/** Req/s and CPU per request of the gateway and the IdP when every request brings a token never seen. */
async function missRun(gateway: Child, idp: IdpChild) {
  // Each connection builds one request ahead: a margin so that no token is sent twice.
  const tokens = await issueTokens(idp, MISS_REQUESTS + 2 * CONNECTIONS);
  let next = 0;
  const started = performance.now();
  const { result, cpu } = await cpuDuring([gateway, idp], () =>
    cannon(gateway.url, {
      connections: CONNECTIONS,
      amount: MISS_REQUESTS,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${tokens[next++]}` },
          }),
        },
      ],
    }),
  );
  if (next > tokens.length) throw new Error(`cache miss: ${next - tokens.length} requests had no token`);
  const total = result.requests.total;
  const seconds = (performance.now() - started) / 1000;
  return { rps: total / seconds, gatewayCpu: cpu[0] / total, idpCpu: cpu[1] / total };
}

const upstream = await start('gateway-upstream.ts');
const idp = await start<Omit<IdpChild, keyof Child>>('idp-server.ts');
const gatewayArgs = [
  ...['--idp', idp.url, '--client', idp.client.id, '--secret', idp.client.secret],
  ...['--upstream', upstream.url],
];
const proxies: PerVariant<Child> = {
  auth: await start('gateway-server.ts', ['--mode', 'auth', ...gatewayArgs]),
  public: await start('gateway-server.ts', ['--mode', 'public', ...gatewayArgs]),
  bare: await start('bare-proxy.ts', ['--upstream', upstream.url]),
};
// The cache-miss runs fill a cache with thousands of answers: not the cache of A.
const missGateway = await start('gateway-server.ts', ['--mode', 'auth', ...gatewayArgs]);
type Saturated = Awaited<ReturnType<typeof saturate>>;
const saturated = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as Saturated[]]));
const cpu = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]]));
/** One-connection latencies of every round, pooled: a p99 of one round rests on a few dozen requests. */
const probed = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as number[]])) as PerVariant<
  number[]
>;
const misses: Awaited<ReturnType<typeof missRun>>[] = [];
try {
  // Warm-up: the first request of A fills the cache, the JIT settles everywhere.
  for (const variant of VARIANTS) await saturate(proxies[variant], idp.token, [], 2);
  await cpuAtRate(proxies, idp.token, 1);
  await probe(proxies, idp.token, 0, 1);
  await missRun(missGateway, idp);
  for (let round = 0; round < rounds(3); round++) {
    for (let index = 0; index < VARIANTS.length; index++) {
      const variant = VARIANTS[(round + index) % VARIANTS.length];
      saturated[variant].push(await saturate(proxies[variant], idp.token, [idp, missGateway]));
    }
    const perRequest = await cpuAtRate(proxies, idp.token);
    const latency = await probe(proxies, idp.token, round);
    for (const variant of VARIANTS) {
      cpu[variant].push(perRequest[variant]);
      probed[variant].push(...latency[variant]);
    }
    misses.push(await missRun(missGateway, idp));
    const shown = (variant: Variant) => {
      const sorted = latency[variant].sort((a, b) => a - b);
      const [p50, p99] = [percentile(sorted, 0.5), percentile(sorted, 0.99)].map((ms) => ms.toFixed(3));
      return (
        `${Math.round(saturated[variant][round].rps)} req/s ` +
        `(${saturated[variant][round].cpu.toFixed(1)} µs CPU, idle ones ${saturated[variant][round].bystanderMs.toFixed(0)} ms), ` +
        `${perRequest[variant].toFixed(1)} µs CPU at ${RATE}/s, ` +
        `p50/p99 ${p50}/${p99} ms`
      );
    };
    console.log(
      `round ${round + 1}: ${VARIANTS.map((variant) => `${variant} ${shown(variant)}`).join('; ')}; ` +
        `miss ${Math.round(misses[round].rps)} req/s`,
    );
  }
} finally {
  for (const server of [...Object.values(proxies), missGateway, idp, upstream]) server.child.kill('SIGTERM');
}

const round3 = (value: number) => Number(value.toFixed(3));
const load = (variant: Variant, key: keyof Saturated) =>
  median(saturated[variant].map((sample) => sample[key]));
const cost = (variant: Variant) => median(cpu[variant]);
for (const variant of VARIANTS) probed[variant].sort((a, b) => a - b);
const quiet = (variant: Variant, key: 'p50' | 'p99') =>
  percentile(probed[variant], key === 'p50' ? 0.5 : 0.99);
const missed = (key: keyof (typeof misses)[number]) => median(misses.map((sample) => sample[key]));
const NAMES: PerVariant<string> = {
  auth: 'A gateway, auth on cache hit',
  public: 'B gateway, public route',
  bare: 'C bare undici proxy',
};
const figures: Record<string, number> = {};
for (const variant of VARIANTS) figures[`${NAMES[variant]}: req/s`] = Math.round(load(variant, 'rps'));
figures['ratio of req/s, A / B (target ≥ 0.9)'] = round3(load('auth', 'rps') / load('public', 'rps'));
figures['ratio of req/s, B / C (target ≥ 0.9)'] = round3(load('public', 'rps') / load('bare', 'rps'));
for (const variant of VARIANTS)
  figures[`${NAMES[variant]}: proxy CPU µs/request at ${RATE} req/s`] = round3(cost(variant));
for (const variant of VARIANTS)
  figures[`${NAMES[variant]}: proxy CPU µs/request at saturation`] = round3(load(variant, 'cpu'));
figures['ratio of CPU cost, B / A (requests per core, A / B; target ≥ 0.9)'] = round3(
  cost('public') / cost('auth'),
);
figures['ratio of CPU cost, C / B (requests per core, B / C; target ≥ 0.9)'] = round3(
  cost('bare') / cost('public'),
);
for (const variant of VARIANTS) {
  figures[`${NAMES[variant]}: p50 ms, ${CONNECTIONS} connections`] = load(variant, 'p50');
  figures[`${NAMES[variant]}: p99 ms, ${CONNECTIONS} connections`] = load(variant, 'p99');
}
for (const variant of VARIANTS) {
  figures[`${NAMES[variant]}: p50 ms, one connection`] = round3(quiet(variant, 'p50'));
  figures[`${NAMES[variant]}: p99 ms, one connection`] = round3(quiet(variant, 'p99'));
}
figures['p99 latency added by a cache hit, ms (A − B, one connection; target < 1)'] = round3(
  quiet('auth', 'p99') - quiet('public', 'p99'),
);
figures['p50 latency added by a cache hit, ms (A − B, one connection)'] = round3(
  quiet('auth', 'p50') - quiet('public', 'p50'),
);
figures['cache miss, a new token every request: req/s'] = Math.round(missed('rps'));
figures['cache miss: gateway CPU µs/request'] = round3(missed('gatewayCpu'));
figures['cache miss: IdP CPU µs/introspection'] = round3(missed('idpCpu'));

save({
  scenario: 'gateway',
  figures,
  notes: [
    'targets: A / B ≥ 0.9, B / C ≥ 0.9, p99 added by a cache hit < 1 ms',
    `req/s and p50/p99 at saturation: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per variant and ` +
      `round; CPU per request: the three loaded together at ${RATE} req/s each (8 connections, ${RATE_S} s); ` +
      `one-connection latency: ${PROBE_S} s per round, one request at a time taking turns A, B, C, timed in µs, ` +
      'percentiles over every round; ' +
      (PINNED ? 'servers pinned to core 0, load generator to core 1' : 'not pinned (taskset missing)'),
    'the gateway logs warnings only (no access lines), as the bare proxy logs nothing; metrics on',
    `cache miss: ${MISS_REQUESTS} requests per round, each with a token issued for it by tokenguard's IdP ` +
      '(SQLite store, own process on core 0); the gateway introspects each with client_secret_basic',
    'shared 2-core machine: req/s and latency move with other load; CPU µs per request is the steadier figure',
  ],
});

/**
 * Scenario 9: how fast a revocation reaches every replica, and what the shared cache costs per hit.
 *
 * Revocation to deny. The topology of docs/SCALE-OUT.md with real processes, configured by its very YAML
 * blocks (test/scale-out/support): two `tokenguard idp` replicas on one PostgreSQL schema publishing on a
 * Redis of the benchmark's own, and two `tokenguard gateway` processes with the 5-minute claims cache.
 * Processes rather than in-process objects, so that the event crosses the same sockets, event loops and
 * process boundaries as in production (an in-process subscriber would share the driver's event loop and
 * hear the event in the same turn the driver measures). Two channels, one pair of gateways each:
 * - Redis: both gateways on the shared Redis cache and Redis events, introspecting at replica A and B;
 * - SSE: no Redis for the gateways; one follows replica A's stream, the other replica B's, which carries
 *   A's revocations relayed over Redis between the replicas.
 * Each revocation: a token of replica A (opaque and JWT alternately) is issued, warmed in both gateways
 * (200 each, now cached for 5 minutes), then revoked at replica A (RFC 7009). The clock is the gateways'
 * own: each logs `revocation event applied` (debug level) once its subscriber has evicted the token (L1 and
 * Redis); the figure is the time from sending the revocation to the later of the two lines (the same wall
 * clock, millisecond resolution). Then one request through each gateway must answer 401 (counted if not).
 * Why not poll the gateways until they answer 401: two busy request loops on a 2-core machine slow the very
 * processes being measured (the IdP answering the revocation above all), and a poll's answer says only that
 * the eviction happened some time before it.
 *
 * Shared-cache hit cost. In process, one core: `authenticateToken` on a cached token, awaited in a loop,
 * with a plain in-process cache, with the Redis cache and its in-process tier (L1), and with the Redis cache
 * whose L1 is off (`l1.maxEntries: 0`: every hit is a Redis round trip). Rounds alternate, medians.
 */
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import { uniquePrefix } from '../src/cache/test-support/redis-server.ts';
import { TestSchemas } from '../src/idp/store/test-support/postgres.ts';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { basic } from '../test/idp/support/seed-idp.ts';
import {
  APPS,
  Deployment,
  GATEWAY_CLIENT,
  type RunningGateway,
} from '../test/scale-out/support/deployment.ts';
import { closeServer, listen } from '../test/support/loopback.ts';
import { type Chart, median, rounds, save } from './lib.ts';
import { startBenchRedis } from './servers/redis.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const REVOCATIONS = option('--revocations', 1000);
/** Revocations run first and not counted (connections, JIT, the first SET verification). */
const WARMUP = 20;
/** A gateway still accepting the token after this long has missed the event: counted, not waited for. */
const GIVE_UP_MS = 10_000;
const TARGET_P99_MS = 100;
/** The gateways log each applied revocation event at debug level: the clock of the measurement. */
const DEBUG = { logLevel: 'debug' } as const;

const redis = await startBenchRedis();
const schemas = new TestSchemas();
const upstream = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('ok');
});
const upstreamUrl = await listen(upstream);
const deployment = await Deployment.start({
  redis: redis.url,
  store: schemas.url(schemas.next()),
  // One driver makes every call: no per-caller rate limit; warnings only (no access lines at the IdPs).
  idp: { logLevel: 'warn', introspection: { rateLimit: { perCaller: 0 } } },
});
const idpPool = new Pool(deployment.a.url, { connections: 4 });

type App = (typeof APPS)[keyof typeof APPS];

async function form(path: string, app: App, body: string): Promise<{ status: number; text: string }> {
  const response = await idpPool.request({
    path,
    method: 'POST',
    headers: {
      authorization: basic(app.id, app.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function issue(app: App): Promise<string> {
  const answer = await form('/oauth2/token', app, 'grant_type=client_credentials');
  if (answer.status !== 200) throw new Error(`token request: ${answer.status} ${answer.text}`);
  return (JSON.parse(answer.text) as { access_token: string }).access_token;
}

async function revoke(app: App, token: string): Promise<void> {
  const answer = await form('/oauth2/revoke', app, new URLSearchParams({ token }).toString());
  if (answer.status !== 200) throw new Error(`revocation: ${answer.status} ${answer.text}`);
}

async function statusVia(pool: Pool, token: string): Promise<number> {
  const response = await pool.request({
    path: '/orders/1',
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body.dump();
  return response.statusCode;
}

/**
 * When `gateway` logged that it applied the next revocation event (its subscriber's debug line, written once
 * the eviction is done, L1 and Redis alike), as ms since `start` (both are wall-clock ms of this machine);
 * undefined when no event came within GIVE_UP_MS.
 */
async function evicted(gateway: RunningGateway, from: number, start: number): Promise<number | undefined> {
  try {
    const line = await gateway.process.waitForLog('revocation event applied', {
      from,
      timeoutMs: GIVE_UP_MS,
    });
    return Date.parse(line.time!) - start;
  } catch {
    return undefined;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
const ms = (value: number) => Number(value.toFixed(1));

interface ChannelResult {
  /** Per revocation: until the later of the two gateways evicted it. */
  both: number[];
  perGateway: number[][];
  revokeAnswered: number[];
  /** Revocations a gateway never announced evicting within GIVE_UP_MS. */
  missed: number;
  /** Requests answered 200 after the gateway had evicted the revoked token (must be 0). */
  allowedAfter: number;
}

/** REVOCATIONS revocations at replica A, each until both gateways evicted it; then each must refuse it. */
async function measure(gateways: RunningGateway[]): Promise<ChannelResult> {
  const pools = gateways.map((gateway) => new Pool(gateway.url, { connections: 2 }));
  const result: ChannelResult = {
    both: [],
    perGateway: gateways.map(() => []),
    revokeAnswered: [],
    missed: 0,
    allowedAfter: 0,
  };
  try {
    for (let i = 0; i < WARMUP + REVOCATIONS; i++) {
      const app = i % 2 === 0 ? APPS.opaque : APPS.jwt;
      const token = await issue(app);
      for (const pool of pools) {
        const status = await statusVia(pool, token);
        if (status !== 200) throw new Error(`a fresh token answered ${status}`);
      }
      const marks = gateways.map((gateway) => gateway.process.logs.length);
      const start = Date.now();
      const answered = revoke(app, token).then(() => Date.now() - start);
      const times = await Promise.all(gateways.map((gateway, g) => evicted(gateway, marks[g], start)));
      const revokeMs = await answered;
      for (const pool of pools) if ((await statusVia(pool, token)) !== 401) result.allowedAfter++;
      if (i < WARMUP) continue;
      if (times.some((elapsed) => elapsed === undefined)) {
        result.missed++;
        continue;
      }
      const known = times as number[];
      result.both.push(Math.max(...known));
      known.forEach((elapsed, g) => {
        result.perGateway[g].push(elapsed);
      });
      result.revokeAnswered.push(revokeMs);
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
  return result;
}

const figures: Record<string, number | string> = {};
function report(channel: string, result: ChannelResult, gatewayNames: string[]): void {
  figures[`${channel}: revocation → evicted by both gateways, p50, ms`] = ms(percentile(result.both, 50));
  figures[`${channel}: revocation → evicted by both gateways, p99, ms`] = ms(percentile(result.both, 99));
  figures[`${channel}: revocation → evicted by both gateways, max, ms`] = ms(Math.max(...result.both));
  result.perGateway.forEach((times, g) => {
    figures[`${channel}: ${gatewayNames[g]} evicted, p50, ms`] = ms(percentile(times, 50));
  });
  // Without the IdP's own work (store write, publish): how long after the revocation was answered.
  const afterAnswer = result.both.map((both, i) => both - result.revokeAnswered[i]);
  for (const p of [50, 99]) {
    figures[`${channel}: evicted by both after the revocation was answered, p${p}, ms`] = ms(
      percentile(afterAnswer, p),
    );
  }
  figures[`${channel}: revocations measured`] = result.both.length;
  figures[`${channel}: revocations not evicted within ${GIVE_UP_MS / 1000} s`] = result.missed;
  figures[`${channel}: requests allowed after the eviction`] = result.allowedAfter;
}

/** One channel: a gateway on replica A and one on replica B, measured, then stopped. */
async function channel(kind: 'redis' | 'sse', label: string, names: string[]): Promise<ChannelResult> {
  const gateways = await Promise.all(
    [deployment.a, deployment.b].map((idp, g) =>
      deployment.gateway(`${kind}-gateway-${'ab'[g]}`, kind, idp, upstreamUrl, DEBUG),
    ),
  );
  const result = await measure(gateways);
  await Promise.all(gateways.map((gateway) => gateway.process.stop()));
  report(label, result, names);
  return result;
}

/** Both channels, one after the other (two gateways at a time on the 2 cores). */
async function revocationLatency(): Promise<void> {
  const redisResult = await channel('redis', 'Redis events', [
    'gateway introspecting at A',
    'gateway introspecting at B',
  ]);
  const sseResult = await channel('sse', 'SSE', [
    "gateway on replica A's stream",
    "gateway on replica B's stream (relayed)",
  ]);
  const answered = [...redisResult.revokeAnswered, ...sseResult.revokeAnswered];
  figures['RFC 7009 revocation at replica A answered, p50, ms'] = ms(percentile(answered, 50));
  figures['RFC 7009 revocation at replica A answered, p99, ms'] = ms(percentile(answered, 99));
  const met = (result: ChannelResult) =>
    result.missed === 0 && result.allowedAfter === 0 && percentile(result.both, 99) <= TARGET_P99_MS
      ? 'met'
      : 'not met';
  figures[`target p99 ≤ ${TARGET_P99_MS} ms (Redis / SSE)`] = `${met(redisResult)} / ${met(sseResult)}`;
}

/** Introspection calls an authenticator made so far (the count of its IdP call histogram). */
async function idpCalls(registry: Registry): Promise<number> {
  return (await registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith('tokenguard_idp_request_duration_seconds_count{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** µs per `authenticateToken` hit with each cache, in process (the IdP answers the first call only). */
async function hitCost(): Promise<Chart> {
  const token = await issue(APPS.opaque);
  const introspection = {
    endpoint: `${deployment.a.url}/oauth2/introspect`,
    clientAuth: {
      method: 'client_secret_basic' as const,
      clientId: GATEWAY_CLIENT.id,
      clientSecret: GATEWAY_CLIENT.secret,
    },
    claimsCache: { ttl: '5m' },
  };
  const redisCache = (l1: { maxEntries?: number }) => ({
    redis: { url: redis.url, keyPrefix: uniquePrefix(), l1 },
  });
  const variants = [
    { name: 'in-process cache', n: 50_000, config: { introspection } },
    { name: 'Redis cache, hit in L1', n: 50_000, config: { introspection, sharedCache: redisCache({}) } },
    {
      name: 'Redis cache, L1 off (a Redis round trip)',
      n: 5_000,
      config: { introspection, sharedCache: redisCache({ maxEntries: 0 }) },
    },
  ].map((variant) => {
    const registry = new Registry();
    return { ...variant, registry, authenticator: createAuthenticator({ config: variant.config, registry }) };
  });
  try {
    // The first call introspects; a Redis cache may still be connecting then: ask until calls are hits.
    for (const variant of variants) {
      for (let attempt = 0; ; attempt++) {
        const before = await idpCalls(variant.registry);
        await variant.authenticator.authenticateToken(token);
        if ((await idpCalls(variant.registry)) === before) break;
        if (attempt > 50) throw new Error(`${variant.name}: never a cache hit`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const samples = variants.map(() => [] as number[]);
    for (let round = 0; round < rounds(5); round++) {
      for (const [v, variant] of variants.entries()) {
        const calls = await idpCalls(variant.registry);
        const start = performance.now();
        for (let i = 0; i < variant.n; i++) await variant.authenticator.authenticateToken(token);
        samples[v].push(((performance.now() - start) * 1000) / variant.n);
        if ((await idpCalls(variant.registry)) !== calls)
          throw new Error(`${variant.name}: a miss in the loop`);
      }
    }
    const micros = samples.map((values) => Number(median(values).toFixed(2)));
    variants.forEach((variant, v) => {
      figures[`authenticateToken hit, ${variant.name}, µs`] = micros[v];
    });
    figures['Redis round trip per hit / in-process hit, ratio'] = Number((micros[2] / micros[0]).toFixed(1));
    return {
      title: 'authenticateToken on a cached token (in process, one core)',
      unit: 'µs per hit',
      bars: variants.map((variant, v) => ({ name: variant.name, value: micros[v] })),
    };
  } finally {
    await Promise.all(variants.map((variant) => variant.authenticator.close()));
  }
}

let chart: Chart;
const loadBefore = loadavg()[0];
try {
  await revocationLatency();
  chart = await hitCost();
  figures['machine load average (1 min) at start / end'] =
    `${loadBefore.toFixed(1)} / ${loadavg()[0].toFixed(1)}`;
} finally {
  await idpPool.close();
  await deployment.close();
  await closeServer(upstream);
  await redis.close();
  await schemas.dropAll();
}

save({
  scenario: 'revocation',
  figures,
  charts: [chart],
  notes: [
    'processes: 2 IdP replicas (PostgreSQL, one schema), 2 gateways per channel, Redis, all on the same 2 cores as the driver',
    `${REVOCATIONS} revocations per channel after ${WARMUP} not counted; tokens alternate opaque / JWT; each warmed in both gateways (5-minute claims cache) before its RFC 7009 revocation at replica A`,
    "latency = from sending the revocation to the later of the two gateways' `revocation event applied` log lines (written once the eviction is done; same wall clock, ms resolution); then one request through each gateway must answer 401",
    "SSE: one gateway reads replica A's stream, the other replica B's (A's event relayed over Redis); each SET is verified with the issuer's JWKS",
    'hit cost: awaited authenticateToken in a loop, median of rounds alternating the three caches; Redis on loopback',
  ],
});

/**
 * Scenario 2: a service with the middleware on cache hits vs the same service without auth, for node:http,
 * Express and Fastify. Each server runs in its own process pinned to core 0; autocannon (this process) runs
 * pinned to core 1, as a deployment would have them apart. Reported per framework: medians of req/s and
 * their ratio, and the server CPU per request (from the server's own `process.cpuUsage`), whose ratio is the
 * steadier figure on a noisy machine. Target: ratio ≥ 0.9.
 *
 * How the noise is fought: rounds run the modes in turn, in reverse order every other round (no mode always
 * follows the warm-up or the same neighbour), and the CPU added by auth is the median of per-round
 * differences (auth − no auth of the same round), so noise that lasts a round shifts both and cancels. And
 * the servers are started afresh several times (`BENCH_PROCESSES`, default 3): one process of a mode can
 * keep a JIT or memory-layout luck of its own for its whole life (seen as ±1 µs per request between
 * otherwise identical runs), which more rounds in the same processes would never average out.
 * node:http also runs `sha256`: the plain server plus the token's SHA-256 alone, the one piece of a cache
 * hit the house rules make unavoidable, to show its share.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { firstJsonLine, median, pinSelf, rounds, save, spawnPinned } from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 3);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);

const PINNED = pinSelf();

interface Server {
  child: ChildProcess;
  port: number;
  token: string;
}

async function startServer(framework: string, mode: string): Promise<Server> {
  const script = new URL('./servers/protected-server.ts', import.meta.url).pathname;
  const child = spawnPinned(PINNED, script, ['--framework', framework, '--mode', mode], true);
  return { child, ...(await firstJsonLine<{ port: number; token: string }>(child)) };
}

interface Stats {
  cpuMicros: number;
  requests: number;
}

async function stats(child: ChildProcess): Promise<Stats> {
  child.send('stats');
  const [message] = await once(child, 'message');
  return message as Stats;
}

async function load(server: Server) {
  const before = await stats(server.child);
  // The servers share core 0; only the one under load works, the others sit idle.
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/`,
    connections: 32,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${server.token}` },
  });
  const after = await stats(server.child);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`non-2xx: ${result.non2xx}, errors: ${result.errors}`);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, after.requests - before.requests),
  };
}

type Sample = Awaited<ReturnType<typeof load>>;

/** One generation: fresh servers of every mode, a warm-up each, then rounds in alternating order. */
async function generation(framework: string, modes: readonly string[], samples: Record<string, Sample[]>) {
  const started = await Promise.allSettled(modes.map((mode) => startServer(framework, mode)));
  const servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  try {
    if (servers.length !== modes.length) throw new Error(`a ${framework} server did not start`);
    for (const server of servers) await load(server); // fills the cache, lets the JIT settle
    for (let round = 0; round < rounds(2); round++) {
      const order = round % 2 ? [...modes.keys()].reverse() : [...modes.keys()];
      for (const index of order) samples[modes[index]].push(await load(servers[index]));
    }
  } finally {
    for (const server of servers) server.child.kill();
  }
}

const figures: Record<string, number> = {};
for (const framework of (process.env.BENCH_FRAMEWORKS ?? 'http,express,fastify').split(',')) {
  const modes = framework === 'http' ? ['plain', 'noop', 'sha256', 'auth'] : ['plain', 'noop', 'auth'];
  const samples: Record<string, Sample[]> = Object.fromEntries(modes.map((mode) => [mode, []]));
  for (let set = 0; set < PROCESSES; set++) await generation(framework, modes, samples);

  const of = (mode: string, key: keyof Sample) => median(samples[mode].map((sample) => sample[key]));
  const round3 = (value: number) => Number(value.toFixed(3));
  const added = (mode: string) =>
    median(samples[mode].map((sample, round) => sample.cpuPerRequest - samples.plain[round].cpuPerRequest));
  figures[`${framework}: no auth, req/s`] = Math.round(of('plain', 'rps'));
  figures[`${framework}: auth on cache hit, req/s`] = Math.round(of('auth', 'rps'));
  figures[`${framework}: ratio of req/s, auth / no auth`] = round3(of('auth', 'rps') / of('plain', 'rps'));
  figures[`${framework}: server CPU µs/request, no auth`] = round3(of('plain', 'cpuPerRequest'));
  figures[`${framework}: server CPU µs/request, no-op middleware`] = round3(of('noop', 'cpuPerRequest'));
  figures[`${framework}: server CPU µs/request, auth`] = round3(of('auth', 'cpuPerRequest'));
  figures[`${framework}: server CPU µs/request added by no-op middleware (paired)`] = round3(added('noop'));
  figures[`${framework}: server CPU µs/request added by auth (paired)`] = round3(added('auth'));
  if (modes.includes('sha256')) {
    figures[`${framework}: server CPU µs/request added by the token's SHA-256 alone (paired)`] = round3(
      added('sha256'),
    );
  }
  figures[`${framework}: ratio of CPU cost, no auth / auth`] = round3(
    of('plain', 'cpuPerRequest') / of('auth', 'cpuPerRequest'),
  );
  figures[`${framework}: ratio of CPU cost, no-op middleware / auth`] = round3(
    of('noop', 'cpuPerRequest') / of('auth', 'cpuPerRequest'),
  );
  figures[`${framework}: p99 ms, no auth`] = of('plain', 'p99');
  figures[`${framework}: p99 ms, auth`] = of('auth', 'p99');
}
save({
  scenario: 'http-middleware',
  figures,
  notes: [
    'target: ratio ≥ 0.9',
    `autocannon, 32 connections, ${DURATION_S} s per round; ${PROCESSES} sets of fresh server processes × ` +
      `${rounds(2)} rounds, modes alternating; ` +
      (PINNED ? 'server pinned to core 0, load generator to core 1' : 'not pinned (taskset missing)'),
  ],
});

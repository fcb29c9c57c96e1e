/**
 * Scenario 2: a service with the middleware on cache hits vs the same service without auth, for node:http,
 * Express and Fastify. Each server runs in its own process; autocannon (in this process) loads them on
 * loopback in alternating rounds; medians and the ratio are reported. Target: ratio ≥ 0.9.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { median, rounds, save } from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);

async function startServer(
  framework: string,
  mode: string,
): Promise<{ child: ChildProcess; port: number; token: string }> {
  const child = spawn(
    process.execPath,
    [
      new URL('./servers/protected-server.ts', import.meta.url).pathname,
      '--framework',
      framework,
      '--mode',
      mode,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, ...JSON.parse(line) };
}

async function load(port: number, token: string) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: 32,
    pipelining: 1,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`non-2xx answers: ${result.non2xx}, errors: ${result.errors}`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const figures: Record<string, number> = {};
for (const framework of ['http', 'express', 'fastify']) {
  const plain = await startServer(framework, 'plain');
  const secured = await startServer(framework, 'auth');
  const samples = {
    plain: [] as number[],
    auth: [] as number[],
    plainP99: [] as number[],
    authP99: [] as number[],
  };
  await load(secured.port, secured.token); // warm-up: fills the cache, JIT
  await load(plain.port, plain.token);
  for (let round = 0; round < rounds(3); round++) {
    const a = await load(plain.port, plain.token);
    const b = await load(secured.port, secured.token);
    samples.plain.push(a.rps);
    samples.auth.push(b.rps);
    samples.plainP99.push(a.p99);
    samples.authP99.push(b.p99);
  }
  plain.child.kill();
  secured.child.kill();
  figures[`${framework}: no auth, req/s`] = Math.round(median(samples.plain));
  figures[`${framework}: auth on cache hit, req/s`] = Math.round(median(samples.auth));
  figures[`${framework}: ratio auth / no auth`] = Number(
    (median(samples.auth) / median(samples.plain)).toFixed(3),
  );
  figures[`${framework}: p99 ms, no auth`] = median(samples.plainP99);
  figures[`${framework}: p99 ms, auth`] = median(samples.authP99);
}
save({
  scenario: 'http-middleware',
  figures,
  notes: [
    'target: ratio ≥ 0.9',
    `autocannon, 32 connections, ${DURATION_S} s per round, rounds alternate no-auth / auth; server and load generator share the 2 cores`,
  ],
});

/**
 * Soak: a steady load through gateway → IdP for a bounded time, with a mix of valid, expired, revoked and
 * garbage tokens. The system under test (IdP on SQLite, gateway introspecting at it with its cache, an
 * upstream) runs in a child process of its own, so its memory, file descriptors and event loop are measured
 * alone; this process generates the load (undici, `--connections` keep-alive connections, paced to
 * `--rate` requests per second) and checks every answer: 200 for a valid token, 401 for the others,
 * anything else (or a transport error) counts as an error.
 *
 * Every `--sample` the child reports RSS, heap, open file descriptors (/proc/self/fd) and the event-loop
 * delay (perf_hooks monitorEventLoopDelay, p99 since the last sample). The verdict: zero errors, RSS after
 * warm-up (the first quarter) flat within `--rss-slack`, open file descriptors after warm-up within the
 * keep-alive pools' churn (2 × `--connections`), not growing with the request count. The figures and the
 * curve are printed (and saved to bench/results/soak.json with `--save`); the exit code is the verdict.
 *
 *   node bench/soak.ts --duration 10m --rate 1500        the documented long run (docs/RELIABILITY.md)
 *   node bench/soak.ts --duration 20s --rate 600         about what CI runs (test/soak/soak.test.ts)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { createGateway } from '../src/gateway/gateway.ts';
import { createIdp } from '../src/idp/server.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { parseDuration } from '../src/util/duration.ts';
import { machine, save } from './lib.ts';

export interface SoakOptions {
  durationMs: number;
  /** Target requests per second (paced); the achieved rate is reported. */
  rate: number;
  connections: number;
  sampleMs: number;
  /** Allowed RSS growth after warm-up, as a fraction of the warm-up median (plus 16 MiB of slack). */
  rssSlack: number;
  /** Share of each token kind in the mix. */
  mix: Record<TokenKind, number>;
}

export type TokenKind = 'valid' | 'expired' | 'revoked' | 'garbage';

export interface Sample {
  /** Seconds since the load began. */
  t: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  /** Event-loop delay p99 over the sample, ms. */
  lagP99Ms: number;
  /** Requests completed during the sample, per second. */
  rps: number;
}

export interface SoakResult {
  requests: number;
  byKind: Record<TokenKind, number>;
  /** Answers other than the expected one, by `kind:status` (status 0 = transport error). */
  unexpected: Record<string, number>;
  errors: number;
  achievedRps: number;
  samples: Sample[];
  warmup: { rssMiB: number; fds: number };
  end: { rssMiB: number; fds: number };
  rssGrowthMiB: number;
  fdGrowth: number;
  lagP99Ms: number;
  passed: boolean;
  problems: string[];
}

const DEFAULTS: SoakOptions = {
  durationMs: 60_000,
  rate: 1_000,
  connections: 32,
  sampleMs: 1_000,
  rssSlack: 0.25,
  mix: { valid: 0.7, expired: 0.1, revoked: 0.1, garbage: 0.1 },
};

const CLIENT = { id: 'soak-app', secret: 'soak-app-secret-value-0001' };
const SHORT = { id: 'soak-short', secret: 'soak-short-secret-value-02' };
const RS = { id: 'soak-gateway', secret: 'soak-gateway-secret-val-03' };

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : 0;
};

/** The system under test, in the child: IdP, gateway, upstream; answers `sample` and `stop` messages. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-soak-'));
  const idp = await createIdp(
    {
      port: 0,
      store: `sqlite:${join(dir, 'idp.db')}`,
      logLevel: 'silent',
      console: { enabled: false },
      clients: [
        { ...CLIENT, tokenFormat: 'opaque' },
        { ...SHORT, tokenFormat: 'opaque', accessTokenTtl: '1s' },
        { ...RS, canIntrospect: true },
      ],
      introspection: { rateLimit: { perCaller: 0 } },
    },
    { logger: silentLogger },
  );
  const upstream = createServer((_request, response) => response.end('ok'));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const { port } = upstream.address() as { port: number };
  const gateway = await createGateway(
    {
      listen: { host: '127.0.0.1', port: 0 },
      api: { host: '127.0.0.1', port: 0 },
      logLevel: 'silent',
      authenticators: {
        idp: {
          jwt: { enabled: false },
          introspection: {
            endpoint: `${idp.url}/oauth2/introspect`,
            clientAuth: { method: 'client_secret_basic', clientId: RS.id, clientSecret: RS.secret },
            claimsCache: { ttl: '5s' },
          },
        },
      },
      routes: [{ match: { pathPrefix: '/' }, upstream: { urls: [`http://127.0.0.1:${port}`] } }],
    },
    { logger: silentLogger },
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'sample') {
      const memory = process.memoryUsage();
      process.send!({
        type: 'sample',
        rss: memory.rss,
        heap: memory.heapUsed,
        fds: readdirSync('/proc/self/fd').length,
        lagP99Ms: lag.percentile(99) / 1e6,
      });
      lag.reset();
    } else if (message.type === 'stop') {
      await gateway.close();
      upstream.close();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', gateway: gateway.proxyUrl, idp: idp.url });
}

/** Tokens of each kind, made through the child's IdP. */
async function makeTokens(idp: string, count: number): Promise<Record<TokenKind, string[]>> {
  const pool = new Pool(idp, { connections: 8 });
  const post = async (path: string, client: typeof CLIENT, body: string) => {
    const answer = await pool.request({
      method: 'POST',
      path,
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) throw new Error(`${path}: ${answer.statusCode} ${text}`);
    return text;
  };
  const issue = async (client: typeof CLIENT) =>
    JSON.parse(await post('/oauth2/token', client, 'grant_type=client_credentials')).access_token as string;
  const many = (client: typeof CLIENT) => Promise.all(Array.from({ length: count }, () => issue(client)));
  // The short-lived ones first: they expire while the others are made.
  const expired = await many(SHORT);
  const expiresAt = Date.now() + 1_200;
  const [valid, revoked] = await Promise.all([many(CLIENT), many(CLIENT)]);
  await Promise.all(revoked.map((token) => post('/oauth2/revoke', CLIENT, `token=${token}`)));
  await pool.close();
  const garbage = Array.from({ length: count }, (_, index) =>
    index % 2
      ? `garbage-${index}-${Math.random().toString(36).slice(2)}`
      : `eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.${index}`,
  );
  await sleep(Math.max(0, expiresAt - Date.now()));
  return { valid, expired, revoked, garbage };
}

function pickKind(mix: SoakOptions['mix']): TokenKind {
  let roll = Math.random();
  for (const [kind, share] of Object.entries(mix) as [TokenKind, number][]) {
    roll -= share;
    if (roll < 0) return kind;
  }
  return 'valid';
}

/** Runs one soak; resolves with the figures and the verdict. */
export async function runSoak(
  overrides: Partial<SoakOptions> = {},
  log: (line: string) => void = () => {},
): Promise<SoakResult> {
  const options = { ...DEFAULTS, ...overrides };
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ gateway: string; idp: string }];
  const tokens = await makeTokens(ready.idp, 200);
  const pool = new Pool(ready.gateway, { connections: options.connections, pipelining: 1 });
  const byKind: Record<TokenKind, number> = { valid: 0, expired: 0, revoked: 0, garbage: 0 };
  const unexpected: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let sent = 0;
  let running = true;
  const started = performance.now();
  const intervalMs = 1_000 / options.rate;

  async function worker() {
    while (running) {
      const due = started + sent++ * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      if (!running) break;
      const kind = pickKind(options.mix);
      const list = tokens[kind];
      const token = list[Math.floor(Math.random() * list.length)];
      let status = 0;
      try {
        const answer = await pool.request({
          method: 'GET',
          path: '/soak',
          headers: { authorization: `Bearer ${token}` },
        });
        await answer.body.dump();
        status = answer.statusCode;
      } catch {
        errors++;
      }
      requests++;
      byKind[kind]++;
      if (status !== (kind === 'valid' ? 200 : 401))
        unexpected[`${kind}:${status}`] = (unexpected[`${kind}:${status}`] ?? 0) + 1;
    }
  }

  const samples: Sample[] = [];
  let lastCount = 0;
  const sampler = setInterval(() => child.send({ type: 'sample' }), options.sampleMs);
  child.on(
    'message',
    (message: { type: string; rss: number; heap: number; fds: number; lagP99Ms: number }) => {
      if (message.type !== 'sample') return;
      const t = (performance.now() - started) / 1000;
      const rps = (requests - lastCount) / (options.sampleMs / 1000);
      lastCount = requests;
      const sample = {
        t: Math.round(t * 10) / 10,
        rssMiB: mib(message.rss),
        heapMiB: mib(message.heap),
        fds: message.fds,
        lagP99Ms: Math.round(message.lagP99Ms * 10) / 10,
        rps: Math.round(rps),
      };
      samples.push(sample);
      log(JSON.stringify(sample));
    },
  );
  const workers = Array.from({ length: options.connections }, worker);
  await sleep(options.durationMs);
  running = false;
  await Promise.all(workers);
  clearInterval(sampler);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  child.send({ type: 'stop' });
  await once(child, 'exit');

  // Warm-up: the first quarter of the run (caches fill, JIT settles); the verdict compares what follows.
  const warm = samples.filter((sample) => sample.t > (options.durationMs / 1000) * 0.25);
  const firstHalf = warm.slice(0, Math.max(1, warm.length >> 1));
  const lastQuarter = warm.slice(Math.floor(warm.length * 0.75));
  const warmup = {
    rssMiB: median(firstHalf.map((s) => s.rssMiB)),
    fds: Math.max(...firstHalf.map((s) => s.fds)),
  };
  const end = {
    rssMiB: median(lastQuarter.map((s) => s.rssMiB)),
    fds: Math.max(...lastQuarter.map((s) => s.fds)),
  };
  const rssGrowthMiB = Math.round((end.rssMiB - warmup.rssMiB) * 10) / 10;
  const fdGrowth = end.fds - warmup.fds;
  const problems: string[] = [];
  if (errors > 0) problems.push(`${errors} transport errors`);
  if (Object.keys(unexpected).length) problems.push(`unexpected answers: ${JSON.stringify(unexpected)}`);
  if (rssGrowthMiB > warmup.rssMiB * options.rssSlack + 16)
    problems.push(`RSS grew ${rssGrowthMiB} MiB after warm-up`);
  // Keep-alive pools open and close connections with the latency of the moment (two descriptors each, both
  // ends live in the child): growth within that is churn, a leak grows with the request count past it.
  if (fdGrowth > options.connections * 2) problems.push(`${fdGrowth} more file descriptors after warm-up`);
  if (warm.length < 2) problems.push('too few samples after warm-up');
  return {
    requests,
    byKind,
    unexpected,
    errors,
    achievedRps: Math.round(requests / elapsed),
    samples,
    warmup,
    end,
    rssGrowthMiB,
    fdGrowth,
    lagP99Ms: Math.max(...warm.map((sample) => sample.lagP99Ms)),
    passed: problems.length === 0,
    problems,
  };
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.main && process.argv.includes('--serve')) {
  await serve();
} else if (import.meta.main) {
  const durationMs = parseDuration(option('duration') ?? '60s') ?? 60_000;
  const result = await runSoak(
    {
      durationMs,
      rate: Number(option('rate') ?? DEFAULTS.rate),
      connections: Number(option('connections') ?? DEFAULTS.connections),
      sampleMs: parseDuration(option('sample') ?? '') ?? Math.max(1_000, Math.round(durationMs / 60)),
      rssSlack: Number(option('rss-slack') ?? DEFAULTS.rssSlack),
    },
    (line) => console.log(line),
  );
  const { samples, ...figures } = result;
  console.log(JSON.stringify({ ...figures, machine: machine() }, null, 2));
  if (process.argv.includes('--save')) {
    save({
      scenario: 'soak',
      figures: {
        duration: option('duration') ?? '60s',
        requests: result.requests,
        'achieved req/s': result.achievedRps,
        'unexpected answers': Object.values(result.unexpected).reduce((a, b) => a + b, 0),
        'transport errors': result.errors,
        'RSS after warm-up, MiB': result.warmup.rssMiB,
        'RSS at the end, MiB': result.end.rssMiB,
        'RSS growth after warm-up, MiB': result.rssGrowthMiB,
        'fd growth after warm-up': result.fdGrowth,
        'event-loop delay p99 (worst sample), ms': result.lagP99Ms,
        passed: result.passed ? 'yes' : `no: ${result.problems.join('; ')}`,
      },
      notes: [
        `samples (t s, rss MiB, fds, lag p99 ms, req/s): ${samples.map((s) => `${s.t}:${s.rssMiB}:${s.fds}:${s.lagP99Ms}:${s.rps}`).join(' ')}`,
      ],
    });
  }
  process.exit(result.passed ? 0 : 1);
}

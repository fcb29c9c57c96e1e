/**
 * Scenario 8: memory. (a) RSS with 100,000 cached introspection answers (100k distinct active tokens, each
 * authenticated once); (b) RSS under a flood of distinct invalid tokens (well-formed, answered inactive by the
 * IdP), which must stay bounded by configuration: the negative cache holds at most `maxEntries`, single-flight
 * entries end with their call, and nothing else keeps a per-token record. The IdP is a separate process
 * (bench/servers/answering-idp-server.ts), so only the pipeline's memory is measured. Each part runs in a
 * fresh process of its own, started with `--expose-gc` so samples follow a full collection: the flood then
 * starts from a service's usual heap, not one that 100k cached answers made large (V8 sizes its heap from
 * what is live, so a big cache would let the flood's garbage pile up higher before a full collection).
 * `--flood N` sets the number of invalid tokens (default 1,000,000; about a minute on 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { firstJsonLine, save, spawnPinned } from './lib.ts';

const CACHED = 100_000;
const floodIndex = process.argv.indexOf('--flood');
const FLOOD = floodIndex > 0 ? Number(process.argv[floodIndex + 1]) : 1_000_000;
const NEGATIVE_MAX = 10_000;
const CONCURRENCY = 64;

type Part = { figures: Record<string, number>; curve?: number[] };

if (typeof globalThis.gc !== 'function') {
  const part = (name: string): Part => {
    const run = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1), '--part', name], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const line = run.stdout.split('\n').find((text) => text.startsWith('{"figures"'));
    if (run.status !== 0 || line === undefined) process.exit(run.status ?? 1);
    return JSON.parse(line) as Part;
  };
  const cached = part('cached');
  const flood = part('flood');
  saveResults(cached, flood);
  process.exit(0);
}

const idp = spawnPinned(false, new URL('./servers/answering-idp-server.ts', import.meta.url).pathname);
const { url } = await firstJsonLine<{ url: string }>(idp);

function rssMiB(): number {
  globalThis.gc?.();
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

/** Authenticates `count` tokens made by `tokenOf`, CONCURRENCY at a time; calls `sample` every `every`. */
async function drive(count: number, tokenOf: (i: number) => string, every = 0, sample?: () => void) {
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      await auth.authenticateToken(tokenOf(i)).catch(() => undefined);
      if (every && i % every === 0) sample?.();
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const auth = createAuthenticator({
  config: {
    introspection: {
      endpoint: `${url}/introspect`,
      clientAuth: { accessToken: 'bench' },
      claimsCache: { maxEntries: CACHED, ttl: '1h' },
      negativeCache: { enabled: true, maxEntries: NEGATIVE_MAX, ttl: '10s' },
    },
  },
});

// Tokens of a realistic size: 43 base64url characters, as 256-bit opaque tokens are.
const token = (prefix: string, i: number) =>
  `${prefix}${i.toString(36).padStart(8, '0')}${randomBytes(26).toString('base64url')}`;

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function cachedPart(): Promise<Part> {
  const baseline = rssMiB();
  const heapBefore = process.memoryUsage().heapUsed;
  await drive(CACHED, (i) => token('v', i));
  const withCache = rssMiB();
  return {
    figures: {
      'RSS before caching, MiB': baseline,
      'RSS with 100k cached answers, MiB': withCache,
      'bytes per cached answer (RSS delta / 100k)': Math.round(((withCache - baseline) * 2 ** 20) / CACHED),
      'bytes per cached answer (V8 heap used delta / 100k)': Math.round(
        (process.memoryUsage().heapUsed - heapBefore) / CACHED,
      ),
    },
  };
}

/** RSS every 5 % of the flood (no forced GC: what the process really holds), and the heap before and after. */
async function floodPart(): Promise<Part> {
  const curve: number[] = [];
  const start = rssMiB();
  const heapAtStart = process.memoryUsage();
  let peak = start;
  await drive(
    FLOOD,
    (i) => token('x', i),
    Math.max(1, Math.floor(FLOOD / 20)),
    () => {
      const rss = mib(process.memoryUsage().rss);
      curve.push(rss);
      peak = Math.max(peak, rss);
    },
  );
  const end = rssMiB();
  const heapAtEnd = process.memoryUsage();
  const half = curve.slice(curve.length >> 1);
  return {
    figures: {
      'invalid tokens in the flood': FLOOD,
      'negative cache bound (maxEntries)': NEGATIVE_MAX,
      'RSS at flood start, MiB': start,
      'RSS peak during the flood, MiB': peak,
      'RSS growth over the second half of the flood, MiB':
        Math.round((Math.max(...half) - half[0]) * 10) / 10,
      'RSS after the flood (after GC), MiB': end,
      'V8 heap used growth over the flood (after GC), MiB': mib(heapAtEnd.heapUsed - heapAtStart.heapUsed),
      'V8 heap reserved (heapTotal) growth over the flood, MiB': mib(
        heapAtEnd.heapTotal - heapAtStart.heapTotal,
      ),
      'memory outside the V8 heap (RSS − heapTotal) growth over the flood, MiB': mib(
        heapAtEnd.rss - heapAtEnd.heapTotal - (heapAtStart.rss - heapAtStart.heapTotal),
      ),
    },
    curve,
  };
}

function saveResults(cached: Part, flood: Part): void {
  save({
    scenario: 'memory',
    figures: { ...cached.figures, ...flood.figures },
    charts: [
      {
        title: 'RSS during the invalid-token flood, MiB (one sample per 5 %)',
        unit: 'MiB',
        bars: (flood.curve ?? []).map((value, i) => ({ name: `${(i * 5).toString()} %`, value })),
      },
    ],
    notes: [
      'answers are kept as parsed claims (one object per token) plus the 43-character SHA-256 key',
      `flood: ${FLOOD} distinct well-formed tokens the IdP calls inactive, ${CONCURRENCY} in flight, in a fresh process`,
      'bounded: the negative cache evicts beyond maxEntries, single-flight entries end with their call; the live heap after a full GC stays flat',
      'RSS rises while V8 grows the heap it reserves for the flood’s garbage (heapTotal), then levels off: the second half of the flood adds next to nothing',
    ],
  });
}

const partIndex = process.argv.indexOf('--part');
const part = partIndex > 0 ? process.argv[partIndex + 1] : 'cached';
const result = part === 'flood' ? await floodPart() : await cachedPart();
console.log(JSON.stringify(result));
await auth.close();
idp.kill();

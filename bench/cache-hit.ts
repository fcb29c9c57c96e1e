/**
 * Scenario 1: in-process cache-hit authentication on one core, ops/s, with the cost split into its steps
 * (extraction, key hash, cache lookup, claim checks + authorization). Target: ≥ 300k ops/s.
 */
import { requireRole } from '../src/authz/roles.ts';
import { tokenDigest } from '../src/cache/key.ts';
import { LruCache } from '../src/cache/lru-cache.ts';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { startStubIdp } from '../test/support/stub-idp.ts';
import { median, rounds, save } from './lib.ts';

const idp = await startStubIdp();
idp.extraClaims.set('admin2', { scope: [{ rn: 'my_service', role: 'admin' }] });
const auth = createAuthenticator({
  config: {
    introspection: { endpoint: `${idp.url}/introspect`, clientAuth: { accessToken: 'introspector' } },
  },
});
const token = await idp.sign({ sub: 'admin2', jti: 'bench' });
const request = { headers: { authorization: `Bearer ${token}` } };
const authorize = requireRole({ namespace: 'my_service', role: 'admin' });
await auth.check(request, { authorize });

const N = 200_000;

async function opsPerSecond(body: () => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i++) await body();
  return N / ((performance.now() - start) / 1000);
}

function syncOpsPerSecond(body: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < N; i++) body();
  return N / ((performance.now() - start) / 1000);
}

const lru = new LruCache({ maxEntries: 10_000 });
// Keyed as the pipeline keys its own cache: by the token's SHA-256 alone.
const key = tokenDigest(token);
lru.set(key, { claims: { active: true }, active: true, expiresAt: Date.now() + 3_600_000 }, 3_600_000);

const samples: Record<string, number[]> = { full: [], sync: [], extract: [], hash: [], lookup: [] };
for (let round = 0; round < rounds(5); round++) {
  samples.full.push(await opsPerSecond(() => auth.check(request, { authorize })));
  samples.sync.push(syncOpsPerSecond(() => auth.checkCached(request, { authorize })));
  samples.extract.push(syncOpsPerSecond(() => auth.extract(request)));
  samples.hash.push(syncOpsPerSecond(() => tokenDigest(token)));
  samples.lookup.push(syncOpsPerSecond(() => lru.get(key)));
}
const full = median(samples.full);
const micros = (opsPerSec: number) => Number((1e6 / opsPerSec).toFixed(3));
save({
  scenario: 'cache-hit',
  figures: {
    'cache-hit check (async check), ops/s, one core': Math.round(full),
    'µs per check': micros(full),
    'cache-hit checkCached (sync path the adapters use), ops/s': Math.round(median(samples.sync)),
    'µs per checkCached': micros(median(samples.sync)),
    'µs extract token': micros(median(samples.extract)),
    'µs SHA-256 key': micros(median(samples.hash)),
    'µs LRU lookup': micros(median(samples.lookup)),
    'token length, chars': token.length,
    'IdP calls during the run': idp.calls.length,
  },
  notes: ['target ≥ 300k ops/s on one core', `${N} sequential awaited checks per round, median of rounds`],
});
await auth.close();
await idp.close();

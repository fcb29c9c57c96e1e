/**
 * Scenario 4: 1,000 concurrent requests with one fresh token make exactly one introspection call; reports
 * the latency of the herd (first to last answer).
 */
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { startStubIdp } from '../test/support/stub-idp.ts';
import { median, rounds, save } from './lib.ts';

const idp = await startStubIdp();
const auth = createAuthenticator({
  config: {
    introspection: { endpoint: `${idp.url}/introspect`, clientAuth: { accessToken: 'introspector' } },
  },
});
const CONCURRENCY = 1000;
const calls: number[] = [];
const herdMs: number[] = [];
for (let round = 0; round < rounds(5); round++) {
  const token = await idp.sign({ sub: `herd-${round}` });
  const before = idp.calls.length;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, () =>
      auth.authenticate({ headers: { authorization: `Bearer ${token}` } }),
    ),
  );
  herdMs.push(performance.now() - start);
  calls.push(idp.calls.length - before);
}
save({
  scenario: 'single-flight',
  figures: {
    'concurrent requests with one fresh token': CONCURRENCY,
    'introspection calls per herd (max over rounds)': Math.max(...calls),
    'herd latency, ms (median)': Number(median(herdMs).toFixed(2)),
  },
  notes: ['target: exactly 1 call per herd'],
});
await auth.close();
await idp.close();

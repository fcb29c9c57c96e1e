/**
 * @module test/soak/soak.test
 * The short soak CI runs (`bench/soak.ts` with a small duration; the documented long run is 10 minutes):
 * gateway → IdP in a child process under a steady paced load of valid, expired, revoked and garbage tokens.
 * Every answer must be the expected one (200 for a valid token, 401 for the others) with no transport
 * error, RSS must stay flat after warm-up and no file descriptor may leak. The event-loop delay p99 and the
 * RSS curve are printed as diagnostics (no timing assertion: CI machines are noisy).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runSoak } from '../../bench/soak.ts';

const DURATION_MS = Number(process.env.SOAK_MS ?? 12_000);

it(`a ${DURATION_MS / 1000} s soak through gateway → IdP: only expected answers, flat RSS, no fd growth`, async (t) => {
  const result = await runSoak({ durationMs: DURATION_MS, rate: 400, connections: 16, sampleMs: 1_000 });
  t.diagnostic(
    `${result.requests} requests at ${result.achievedRps} req/s, ${JSON.stringify(result.byKind)}; ` +
      `RSS ${result.warmup.rssMiB} → ${result.end.rssMiB} MiB after warm-up; fds ${result.warmup.fds} → ${result.end.fds}; ` +
      `event-loop delay p99 ≤ ${result.lagP99Ms} ms`,
  );
  t.diagnostic(
    `RSS curve (s:MiB) ${result.samples.map((sample) => `${sample.t}:${sample.rssMiB}`).join(' ')}`,
  );
  assert.equal(result.errors, 0, 'no transport error');
  assert.deepEqual(result.unexpected, {}, 'every answer as expected');
  assert.ok(
    result.byKind.valid > 0 &&
      result.byKind.revoked > 0 &&
      result.byKind.expired > 0 &&
      result.byKind.garbage > 0,
  );
  assert.ok(result.passed, result.problems.join('; '));
});

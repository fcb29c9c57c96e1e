/** Runs every benchmark scenario in turn, then regenerates docs/BENCHMARKS.md. */
import { spawnSync } from 'node:child_process';

for (const script of [
  'cache-hit.ts',
  'single-flight.ts',
  'jwt-cache.ts',
  'memory.ts',
  'http-middleware.ts',
  'idp.ts',
  'grpc-vs-http.ts',
  'gateway.ts',
  'revocation.ts',
  'report.ts',
]) {
  console.log(`\n== ${script}`);
  const run = spawnSync(
    process.execPath,
    [new URL(script, import.meta.url).pathname, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  if (run.status !== 0) process.exit(run.status ?? 1);
}

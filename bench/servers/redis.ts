/**
 * @module bench/servers/redis
 * A `redis-server` of the benchmark's own on a free loopback port, without persistence (the tests' private
 * Redis syncs every write to disk, which would add fsyncs to every eviction measured here), so the scenario
 * neither disturbs nor is disturbed by the machine's shared Redis.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closedPortUrl } from '../../test/support/loopback.ts';

export interface BenchRedis {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const port = new URL(await closedPortUrl()).port;
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * @module cache/test-support/redis-server
 * What the shared-cache tests need around Redis: a private `redis-server` child process they may kill and
 * restart (the machine's Redis on 6379 is shared with other suites and must stay up), a key prefix unique to
 * one run with the cleanup of its keys, and an admin client for assertions. Test code only (not packaged).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPortUrl } from '../../../test/support/loopback.ts';
import { loadRedis } from '../../util/optional-peer.ts';
import type { RedisClient } from '../redis-client.ts';

/** The machine's Redis. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other run uses (`tokenguard-test:<uuid>:`). */
export function uniquePrefix(): string {
  return `tokenguard-test:${randomUUID()}:`;
}

/** A plain ioredis client for assertions (it queues commands until connected, unlike the cache). */
export async function adminClient(url: string): Promise<RedisClient> {
  const Redis = await loadRedis('test');
  return new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
}

/** Every key under `prefix` (KEYS is fine on a test database). */
export function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
  return client.keys(`${prefix}*`);
}

/** Deletes every key under `prefix`. */
export async function deleteUnder(client: RedisClient, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(...keys);
}

/** Calls of one command so far (`INFO commandstats`): a count of what a cache sent, without MONITOR. */
export async function commandCalls(client: RedisClient, command: string): Promise<number> {
  const stats = await client.info('commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats);
  return match ? Number(match[1]) : 0;
}

/**
 * A `redis-server` of the test's own on a free loopback port. Its data survives a kill (append-only file,
 * synced on every write, in a temporary directory), as a Redis that was only unreachable for a while.
 */
export interface PrivateRedis {
  readonly url: string;
  /** Kills the server (SIGKILL: as a crash or a lost host), resolving once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with its data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = new URL(await closedPortUrl()).port;
  const dir = await mkdtemp(join(tmpdir(), 'tokenguard-redis-'));
  let child: ChildProcess | undefined;
  const server: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    },
    async start() {
      const args = ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
      args.push('--appendonly', 'yes', '--appendfsync', 'always');
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      child = started;
      const stdout = started.stdout!;
      let output = '';
      await new Promise<void>((resolve, reject) => {
        started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
        stdout.on('data', (chunk: Buffer) => {
          output += chunk;
          if (output.includes('Ready to accept connections')) resolve();
        });
      });
      started.removeAllListeners('exit');
      stdout.removeAllListeners('data');
      stdout.resume();
    },
  };
  await server.start();
  return server;
}

/**
 * @module cache/redis-client
 * How the shared cache talks to Redis through ioredis: the client options that keep a slow or absent Redis
 * from stalling requests, the URL checks that keep its password out of log lines, and small helpers for
 * transaction replies and SCAN patterns.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';
import { configInvalid } from '../errors/tokenguard-error.ts';

/** A connected ioredis client. */
export type RedisClient = Redis;

/** The oldest Redis whose commands the cache uses (`PEXPIRE ... NX | GT`, 7.0). */
export const MIN_REDIS_MAJOR = 7;

/** Whether `url` is a `redis://` or `rediss://` (TLS) URL. */
/** A config key holding a Redis URL, empty (the default) meaning off; the description goes on with `.describe`. */
export function optionalRedisUrl() {
  return z
    .string()
    .default('')
    .refine((url) => url === '' || isRedisUrl(url), 'must be a redis:// or rediss:// URL');
}

export function isRedisUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
}

/** Rejects anything but a Redis URL, naming the config key (and never echoing the URL: it may hold a password). */
export function checkRedisUrl(url: string, configPath: string): void {
  if (!isRedisUrl(url)) throw configInvalid(configPath, 'must be a redis:// or rediss:// URL');
}

/** The URL as log lines may show it: scheme, user, host, port and database; never the password. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.search = '';
  return parsed.href;
}

export interface ClientTimings {
  /** Deadline of one command, ms: past it the command fails and the cache serves in-process. */
  commandTimeoutMs: number;
  /** Cap of the reconnection back-off, ms. */
  reconnectMaxDelayMs: number;
}

/**
 * ioredis options for a cache that must never make a request wait on Redis: no offline queue (a command
 * issued while disconnected fails at once instead of waiting for a reconnection), no retry of commands
 * in flight when the connection drops, a deadline per command, and reconnection with a capped, jittered
 * exponential back-off (replicas restarted together do not reconnect in lockstep).
 */
export function clientOptions({ commandTimeoutMs, reconnectMaxDelayMs }: ClientTimings): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs * 10),
    retryStrategy: (attempt) =>
      Math.round(
        Math.min(reconnectMaxDelayMs, 50 * 2 ** Math.min(attempt, 16)) * (0.8 + Math.random() * 0.4),
      ),
    connectionName: 'tokenguard-cache',
  };
}

/** The replies of a pipeline or transaction; throws the first command error. */
export function replies(results: [error: Error | null, result: unknown][] | null): unknown[] {
  if (results === null) throw new Error('transaction aborted');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

/** `text` as a literal in a SCAN / KEYS glob pattern (`*`, `?`, `[`, `]` and `\` escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The major version in an `INFO server` reply, or undefined when it names none. */
export function redisMajorVersion(info: string): number | undefined {
  const match = /^redis_version:(\d+)\./m.exec(info);
  return match ? Number(match[1]) : undefined;
}

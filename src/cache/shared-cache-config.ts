/**
 * @module cache/shared-cache-config
 * The configuration of the shared (Redis) cache, as a schema fragment to mount in a config section, and
 * its translation into `RedisCache` options. An empty `redis.url` (the default) keeps every cache in
 * process, as on one machine.
 *
 * The schema is built by a function declaration, not held in a constant: `config/schema.ts` (which this
 * module imports `duration` from) can then mount it without an import cycle failing at load time, whichever
 * of the two modules is loaded first (a hoisted function is callable before its module has run).
 */
import { z } from 'zod';
import { duration } from '../config/duration-schema.ts';
import type { RedisCacheOptions } from './redis-cache.ts';
import { optionalRedisUrl } from './redis-client.ts';

/** The `{ redis: {...} }` section (a new schema per call: mount it once). */
export function sharedCacheSchema() {
  return z
    .object({
      redis: z
        .object({
          url: optionalRedisUrl().describe(
            'Redis shared by the replicas (redis://[user:password@]host:port[/db], rediss:// for TLS); empty = off.',
          ),
          keyPrefix: z
            .string()
            .min(1)
            .default('tokenguard:')
            .describe('Prefix of every key the cache writes; clearing the cache deletes exactly these keys.'),
          commandTimeout: duration('150ms')
            .refine((ms) => ms > 0, 'must be longer than 0')
            .describe('Deadline of one Redis command; past it requests are served from the in-process tier.'),
          l1: z
            .object({
              maxEntries: z
                .number()
                .int()
                .nonnegative()
                .default(10_000)
                .describe('Upper bound on entries of the in-process tier in front of Redis; 0 = none.'),
              ttl: duration('5s').describe(
                'How long the in-process tier serves an answer read from Redis before asking Redis again.',
              ),
            })
            .strict()
            .prefault({})
            .describe('The in-process tier: a repeated hit costs no network round trip.'),
        })
        .strict()
        .prefault({})
        .describe('A Redis cache of verified answers shared by every replica.'),
    })
    .strict()
    .prefault({});
}

/** The shared cache section as written (input) and as used (output, durations in milliseconds). */
export type SharedCacheConfigInput = z.input<ReturnType<typeof sharedCacheSchema>>;
export type SharedCacheConfig = z.output<ReturnType<typeof sharedCacheSchema>>;

/**
 * `RedisCache` options from the parsed section, or undefined when no Redis is configured. `configPath` is
 * where the section is mounted (for error messages); `extra` adds logger, events, name, clock.
 */
export function redisCacheOptions(
  config: SharedCacheConfig,
  configPath: string,
  extra: Omit<RedisCacheOptions, 'url' | 'keyPrefix' | 'commandTimeoutMs' | 'l1' | 'configPath'> = {},
): RedisCacheOptions | undefined {
  const { url, keyPrefix, commandTimeout, l1 } = config.redis;
  if (url === '') return undefined;
  return {
    ...extra,
    url,
    keyPrefix,
    commandTimeoutMs: commandTimeout,
    l1: { maxEntries: l1.maxEntries, ttlMs: l1.ttl },
    configPath: `${configPath}.redis`,
  };
}

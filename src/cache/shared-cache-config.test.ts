import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactRedisUrl } from './redis-client.ts';
import { redisCacheOptions, sharedCacheSchema } from './shared-cache-config.ts';

it('defaults to no shared cache, and maps a configured one to RedisCache options', () => {
  const schema = sharedCacheSchema();
  const defaults = schema.parse(undefined);
  assert.deepEqual(defaults, {
    redis: { url: '', keyPrefix: 'tokenguard:', commandTimeout: 150, l1: { maxEntries: 10_000, ttl: 5_000 } },
  });
  assert.equal(redisCacheOptions(defaults, 'auth.sharedCache'), undefined);

  const config = schema.parse({
    redis: { url: 'rediss://:pw@cache:6380/2', commandTimeout: '200ms', l1: { ttl: '2s' } },
  });
  assert.deepEqual(redisCacheOptions(config, 'auth.sharedCache', { name: 'shared' }), {
    name: 'shared',
    url: 'rediss://:pw@cache:6380/2',
    keyPrefix: 'tokenguard:',
    commandTimeoutMs: 200,
    l1: { maxEntries: 10_000, ttlMs: 2_000 },
    configPath: 'auth.sharedCache.redis',
  });
});

it('rejects unknown keys, a URL of another scheme and an empty prefix, naming the key', () => {
  const schema = sharedCacheSchema();
  const issues = (input: unknown) =>
    schema.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];
  assert.deepEqual(issues({ redis: { url: 'http://cache:6379' } }), ['redis.url']);
  assert.deepEqual(issues({ redis: { keyPrefix: '' } }), ['redis.keyPrefix']);
  assert.deepEqual(issues({ redis: { l1: { size: 1 } } }), ['redis.l1']);
  assert.deepEqual(issues({ redis: { commandTimeout: 'soon' } }), ['redis.commandTimeout']);
  assert.deepEqual(issues({ redis: { commandTimeout: 0 } }), ['redis.commandTimeout']);
});

it('shows a Redis URL without its password', () => {
  assert.equal(redactRedisUrl('redis://user:hunter2@cache:6379/1'), 'redis://user@cache:6379/1');
  assert.equal(redactRedisUrl('rediss://:hunter2@cache?password=x'), 'rediss://cache');
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { silentLogger } from '../observability/logger.ts';
import { type RedisCacheState, RedisHealth } from './redis-health.ts';

it('pauses commands after a failure, doubling the pause up to its cap, and probes after it', () => {
  let now = 0;
  const changes: string[] = [];
  const health = new RedisHealth({
    logger: silentLogger,
    logFields: {},
    now: () => now,
    maxPauseMs: 250,
    onChange: (state: RedisCacheState, previous: RedisCacheState) => changes.push(`${previous}>${state}`),
  });
  assert.equal(health.admits(), false, 'not connected yet');
  health.connectionUp();
  assert.equal(health.admits(), true);

  health.commandFailed(new Error('Command timed out'));
  assert.equal(health.admits(), false);
  now += 100;
  assert.equal(health.admits(), true, 'the first pause is over: probe');
  health.commandFailed(new Error('Command timed out'));
  now += 199;
  assert.equal(health.admits(), false, 'the second pause is twice as long');
  now += 1;
  assert.equal(health.admits(), true);
  health.commandFailed(new Error('Command timed out'));
  now += 250;
  assert.equal(health.admits(), true, 'capped at maxPauseMs');
  health.commandSucceeded();
  assert.equal(health.state, 'ready');

  health.connectionDown(new Error('ECONNREFUSED'));
  health.commandSucceeded();
  assert.equal(health.state, 'degraded', 'a late answer does not make a lost connection ready');
  health.stop();
  health.connectionUp();
  assert.deepEqual(changes, ['connecting>ready', 'ready>degraded', 'degraded>ready', 'ready>degraded']);
});

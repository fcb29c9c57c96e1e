/**
 * @module idp/console/live-figures.test
 * The live figures read the IdP's counters from the registry: totals by outcome, console traffic left out
 * of the protocol total, and per-minute rates from the difference between readings.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { createIdpMetrics } from '../metrics.ts';
import { LiveFigures } from './live-figures.ts';

it('reads totals and per-minute rates from the IdP counters', async () => {
  const registry = new Registry();
  const metrics = createIdpMetrics(registry);
  let now = 1_000_000;
  const figures = new LiveFigures(registry, () => now);
  const empty = await figures.read();
  assert.deepEqual(
    [empty.requests, empty.tokensIssued, empty.introspections, empty.rates],
    [0, 0, { active: 0, inactive: 0, error: 0 }, {}],
  );
  metrics.request('token', 200);
  metrics.request('introspect', 200);
  metrics.request('introspect', 200);
  metrics.request('console', 200);
  metrics.introspection('active');
  metrics.introspection('inactive');
  metrics.issued('grant');
  metrics.issued('refresh');
  now += 30_000;
  const read = await figures.read();
  assert.equal(read.requests, 3, 'console pages are not protocol requests');
  assert.deepEqual(read.introspections, { active: 1, inactive: 1, error: 0 });
  assert.equal(read.tokensIssued, 2);
  assert.deepEqual(read.rates, { requests: 6, introspections: 4, tokensIssued: 4 }, 'per minute over 30 s');
  assert.deepEqual(read.requestsBy[0], { label: 'introspect 200', count: 2 });
  now += 120_000;
  assert.deepEqual((await figures.read()).rates, {}, 'no reading within the last minute: no rate yet');
});

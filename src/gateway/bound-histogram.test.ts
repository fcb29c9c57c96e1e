/**
 * @module gateway/bound-histogram.test
 * The bound histogram writes, through a prom-client registry, the same series and values as prom-client's
 * own Histogram fed the same observations (bucket edges included: a value equal to a bound falls in it),
 * and `resetMetrics` zeroes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED: [Record<string, string>, number][] = [
  [{ route: 'api', status: '200' }, 0.0005],
  [{ route: 'api', status: '200' }, 0.01],
  [{ route: 'api', status: '200' }, 0.05],
  [{ route: 'api', status: '502' }, 3],
  [{ route: 'admin', status: '200' }, 0.001],
];

/** The exposition lines of `registry`, label order normalized (prom-client writes `le` first). */
async function lines(registry: Registry): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)\{(.*)\} (.+)$/.exec(line);
      if (!match) return line;
      return `${match[1]}{${match[2].split(',').sort().join(',')}} ${match[3]}`;
    })
    .sort();
}

describe('BoundHistogram', () => {
  it("writes what prom-client's Histogram writes for the same observations", async () => {
    const theirs = new Registry();
    const reference = new Histogram({
      name: 'duration_seconds',
      help: 'Durations.',
      labelNames: ['route', 'status'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const ours = new Registry();
    const bound = new BoundHistogram({
      name: 'duration_seconds',
      help: 'Durations.',
      buckets: BUCKETS,
      registers: [ours],
    });
    const series = new Map<string, (value: number) => void>();
    for (const [labels, value] of OBSERVED) {
      reference.observe(labels, value);
      const key = JSON.stringify(labels);
      if (!series.has(key)) series.set(key, bound.series(labels));
      series.get(key)?.(value);
    }
    const expected = await lines(theirs);
    assert.ok(expected.includes('duration_seconds_bucket{le="0.01",route="api",status="200"} 2'));
    assert.deepEqual(await lines(ours), expected);
    assert.match(await ours.metrics(), /# TYPE duration_seconds histogram/);
  });

  it('is zeroed by the registry reset and counts again after it', async () => {
    const registry = new Registry();
    const bound = new BoundHistogram({
      name: 'd_seconds',
      help: 'D.',
      buckets: BUCKETS,
      registers: [registry],
    });
    const observe = bound.series({ route: 'api' });
    observe(0.5);
    registry.resetMetrics();
    assert.match(await registry.metrics(), /d_seconds_count\{route="api"\} 0/);
    observe(0.002);
    const text = await registry.metrics();
    assert.match(text, /d_seconds_bucket\{route="api",le="0.01"\} 1/);
    assert.match(text, /d_seconds_sum\{route="api"\} 0.002/);
  });
});

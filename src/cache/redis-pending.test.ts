import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PendingInvalidations } from './redis-pending.ts';

it('remembers invalidations up to its bounds, then collapses them into one clear', () => {
  const pending = new PendingInvalidations({ maxKeys: 2, maxMatches: 1 });
  assert.equal(pending.empty, true);
  pending.delete('k1');
  pending.deletePrefix('p.');
  pending.evict({ subject: 's' });
  const batch = pending.take();
  assert.deepEqual(batch, { clear: false, keys: ['k1'], prefixes: ['p.'], matches: [{ subject: 's' }] });
  assert.equal(pending.empty, true);

  pending.restore(batch);
  pending.delete('k2');
  assert.equal(pending.take().clear, true, 'three keys and prefixes exceed maxKeys');
  pending.evict({ subject: 'a' });
  pending.evict({ subject: 'b' });
  assert.deepEqual(pending.take(), { clear: true, keys: [], prefixes: [], matches: [] });
});

/**
 * @module events/apply.test
 * What an event evicts: exact digests, then claims (jtis always; client or subject only for their scopes,
 * restricted to the event's issuer); nothing claim-based when the event names nothing to match.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvictionMatch } from '../cache/types.ts';
import { applyRevocation, evictionMatch } from './apply.ts';
import type { RevocationEvent, RevocationTarget } from './types.ts';

const base: RevocationEvent = {
  id: 'e',
  issuer: 'https://idp.example',
  tenant: 'default',
  at: 1,
  scope: 'token',
  tokenHashes: [],
  jtis: [],
  subject: 'alice',
  clientId: 'app',
};

function recordingTarget() {
  const calls: { hashes: (readonly string[])[]; matches: EvictionMatch[] } = { hashes: [], matches: [] };
  const target: RevocationTarget = {
    evictTokenHashes: async (hashes) => {
      calls.hashes.push(hashes);
      return hashes.length;
    },
    evictMatching: async (match) => {
      calls.matches.push(match);
      return 1;
    },
    flush: async () => {},
  };
  return { target, calls };
}

describe('applyRevocation', () => {
  it('evicts digests and jtis of a token or family event, never by its informative subject', async () => {
    const { target, calls } = recordingTarget();
    const evicted = await applyRevocation(target, {
      ...base,
      scope: 'family',
      tokenHashes: ['h1', 'h2'],
      jtis: ['j1'],
    });
    assert.equal(evicted, 3);
    assert.deepEqual(calls.hashes, [['h1', 'h2']]);
    assert.deepEqual(calls.matches, [{ jtis: ['j1'], issuer: 'https://idp.example' }]);
  });

  it('matches the client or the subject for their scopes, within the issuer', () => {
    assert.deepEqual(evictionMatch({ ...base, scope: 'client' }), {
      clientId: 'app',
      issuer: 'https://idp.example',
    });
    assert.deepEqual(evictionMatch({ ...base, scope: 'subject', jtis: ['j'] }), {
      jtis: ['j'],
      subject: 'alice',
      issuer: 'https://idp.example',
    });
  });

  it('asks nothing of the target for an event naming nothing', async () => {
    const { target, calls } = recordingTarget();
    assert.equal(await applyRevocation(target, base), 0);
    assert.deepEqual(calls, { hashes: [], matches: [] });
  });
});

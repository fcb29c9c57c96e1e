/**
 * @module idp/events/revocation-events.test
 * What the IdP announces for each revocation path, on a memory store: an access token (digest or jti), a
 * grant (its live tokens only, listed before the store revokes them, plus any a racing refresh added), a
 * client or subject (one event per issuer, capped token lists), nothing for what was revoked before; and a
 * failing publisher or store listing never failing the revocation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RevocationEvent, RevocationPublisher } from '../../events/types.ts';
import { silentLogger } from '../../observability/logger.ts';
import type { StoredToken } from '../model.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { freshToken, NOW } from '../store/test-support/records.ts';
import { revokeToken } from '../tokens/revocation.ts';
import { RevocationEvents } from './revocation-events.ts';

function recordingPublisher(): RevocationPublisher & { events: RevocationEvent[] } {
  const events: RevocationEvent[] = [];
  return { events, publish: async (event) => void events.push(event), close: async () => {} };
}

function token(id: string, overrides: Partial<StoredToken> = {}): StoredToken {
  return freshToken('t1', id, { issuer: 'https://idp/t/t1', familyId: 'f1', ...overrides });
}

async function setup(
  tokens: StoredToken[],
  options: { maxTokensPerEvent?: number; issuers?: string[] } = {},
) {
  const store = new MemoryStore();
  for (const record of tokens) await store.tokens.put(record);
  const publisher = recordingPublisher();
  const events = new RevocationEvents({
    store,
    publisher,
    logger: silentLogger,
    maxTokensPerEvent: options.maxTokensPerEvent,
    issuersOf: () => options.issuers ?? [],
    now: () => NOW,
  });
  return { store, publisher, events };
}

describe('RevocationEvents', () => {
  it('announces a revoked access token by its digest (opaque) or its jti (JWT)', async () => {
    const opaque = token('digest-1', { kind: 'access', format: 'opaque' });
    const jwt = token('jti-1', { kind: 'access', format: 'jwt', claims: { jti: 'jti-1' } });
    const { store, publisher, events } = await setup([opaque, jwt]);
    await revokeToken(store, opaque, NOW, events);
    await revokeToken(store, jwt, NOW, events);
    assert.deepEqual(
      publisher.events.map(({ scope, tokenHashes, jtis, issuer, tenant, subject, clientId, at }) => ({
        scope,
        tokenHashes,
        jtis,
        issuer,
        tenant,
        subject,
        clientId,
        at,
      })),
      [
        {
          scope: 'token',
          tokenHashes: ['digest-1'],
          jtis: [],
          issuer: 'https://idp/t/t1',
          tenant: 't1',
          subject: 'alice',
          clientId: 'app',
          at: NOW,
        },
        {
          scope: 'token',
          tokenHashes: [],
          jtis: ['jti-1'],
          issuer: 'https://idp/t/t1',
          tenant: 't1',
          subject: 'alice',
          clientId: 'app',
          at: NOW,
        },
      ],
    );
    assert.notEqual(publisher.events[0].id, publisher.events[1].id);
    assert.equal((await store.tokens.get('t1', 'digest-1'))?.revokedAt, NOW);
  });

  it('announces nothing for a token revoked before (its event went out then)', async () => {
    const revoked = token('digest-1', { kind: 'access', revokedAt: NOW - 5 });
    const { store, publisher, events } = await setup([revoked]);
    await revokeToken(store, revoked, NOW, events);
    assert.deepEqual(publisher.events, []);
  });

  it('announces a grant with its live tokens only, listed before the store revoked them', async () => {
    const refresh = token('r1', { kind: 'refresh', format: 'opaque' });
    const family = [
      refresh,
      token('a1', { kind: 'access', format: 'jwt', claims: { jti: 'a1' } }),
      token('a2', { kind: 'access', format: 'opaque' }),
      token('old', { kind: 'access', format: 'opaque', expiresAt: NOW - 1 }),
      token('gone', { kind: 'access', format: 'opaque', revokedAt: NOW - 1 }),
      token('other-grant', { kind: 'access', format: 'opaque', familyId: 'f2' }),
    ];
    const { store, publisher, events } = await setup(family);
    await revokeToken(store, refresh, NOW, events);
    assert.equal(publisher.events.length, 1);
    const [event] = publisher.events;
    assert.equal(event.scope, 'family');
    assert.equal(event.familyId, 'f1');
    assert.deepEqual(event.tokenHashes.toSorted(), ['a2', 'r1']);
    assert.deepEqual(event.jtis, ['a1']);
    assert.equal((await store.tokens.get('t1', 'other-grant'))?.revokedAt, undefined);
  });

  it('also names a token a racing refresh stored between the listing and the store write', async () => {
    const refresh = token('r1', { kind: 'refresh', format: 'opaque' });
    const { store, publisher, events } = await setup([refresh]);
    const listed = await events.familyOf(refresh, NOW);
    await store.tokens.put(token('racer', { kind: 'access', format: 'opaque' }));
    await store.tokens.revokeFamily('t1', 'f1', NOW);
    await events.familyRevoked(refresh, listed, NOW);
    assert.deepEqual(publisher.events[0].tokenHashes.toSorted(), ['r1', 'racer']);
  });

  it('revokes a client’s tokens with one event per issuer, capped lists, the client always named', async () => {
    const tokens = [
      token('s1', { kind: 'access', format: 'opaque', familyId: 'x1' }),
      token('s2', { kind: 'access', format: 'opaque', familyId: 'x2' }),
      token('s3', { kind: 'access', format: 'opaque', familyId: 'x3' }),
      token('k1', { kind: 'access', format: 'jwt', issuer: 'https://idp/realms/t1', claims: { jti: 'k1' } }),
      token('other', { kind: 'access', format: 'opaque', clientId: 'other-app' }),
    ];
    const { store, publisher, events } = await setup(tokens, {
      maxTokensPerEvent: 3,
      issuers: ['https://idp/t/t1', 'https://idp/realms/t1'],
    });
    const outcome = await events.revokeClient('t1', 'app');
    assert.equal(outcome.revoked, 4);
    assert.deepEqual(outcome.events, publisher.events);
    const byIssuer = Object.fromEntries(publisher.events.map((e) => [e.issuer, e]));
    assert.deepEqual(Object.keys(byIssuer).toSorted(), ['https://idp/realms/t1', 'https://idp/t/t1']);
    for (const event of publisher.events) {
      assert.equal(event.scope, 'client');
      assert.equal(event.clientId, 'app');
      assert.equal(event.subject, undefined);
    }
    // The store listed three live tokens (the cap); subscribers match the rest by client.
    const named = publisher.events.flatMap((e) => [...e.tokenHashes, ...e.jtis]);
    assert.equal(named.length, 3);
    assert.equal((await store.tokens.get('t1', 'other'))?.revokedAt, undefined);
  });

  it('revokes a subject’s tokens and still announces it when none was live', async () => {
    const { publisher, events } = await setup([], { issuers: ['https://idp/t/t1'] });
    const outcome = await events.revokeSubject('t1', 'bob');
    assert.equal(outcome.revoked, 0);
    assert.equal(publisher.events.length, 1);
    assert.deepEqual(
      { ...publisher.events[0], id: undefined },
      {
        id: undefined,
        issuer: 'https://idp/t/t1',
        tenant: 't1',
        at: NOW,
        scope: 'subject',
        tokenHashes: [],
        jtis: [],
        subject: 'bob',
      },
    );
  });

  it('never fails a revocation because a publisher or the listing fails', async () => {
    const store = new MemoryStore();
    const access = token('digest-1', { kind: 'access', format: 'opaque' });
    await store.tokens.put(access);
    const failing = new RevocationEvents({
      store,
      publisher: { publish: async () => Promise.reject(new Error('redis down')), close: async () => {} },
      logger: silentLogger,
    });
    await revokeToken(store, access, NOW, failing);
    assert.equal((await store.tokens.get('t1', 'digest-1'))?.revokedAt, NOW);
    assert.equal(failing.published, 1);

    const listFails = Object.create(store) as MemoryStore;
    Object.defineProperty(listFails, 'tokens', {
      value: { ...store.tokens, list: async () => Promise.reject(new Error('store down')) },
    });
    const blind = new RevocationEvents({
      store: listFails,
      publisher: recordingPublisher(),
      logger: silentLogger,
    });
    const refresh = token('r1', { kind: 'refresh' });
    await store.tokens.put(refresh);
    await revokeToken(listFails, refresh, NOW, blind);
    assert.equal((await store.tokens.get('t1', 'r1'))?.revokedAt, NOW);
  });
});

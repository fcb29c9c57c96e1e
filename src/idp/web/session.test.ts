/**
 * @module idp/web/session.test
 * Sessions: 256-bit ids, a new id on every sign-in (fixation), idle and absolute expiry, bounded memory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStore } from './session.ts';

function store(maxSessions?: number) {
  let now = 1_000_000;
  const sessions = new SessionStore({
    idleTimeoutMs: 1000,
    absoluteTimeoutMs: 5000,
    now: () => now,
    maxSessions,
  });
  return { sessions, advance: (ms: number) => (now += ms) };
}

const INIT = { tenant: 'default', username: 'alice', kind: 'user' } as const;

describe('SessionStore', () => {
  it('makes 256-bit base64url ids, distinct every time', () => {
    const { sessions } = store();
    const a = sessions.create(INIT);
    const b = sessions.create(INIT);
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.id, b.id);
    assert.equal(sessions.get(a.id)?.username, 'alice');
    assert.equal(sessions.get(undefined), undefined);
    assert.equal(sessions.get('unknown'), undefined);
  });

  it('rotate destroys the previous id (session fixation defence)', () => {
    const { sessions } = store();
    const planted = sessions.create(INIT);
    const signedIn = sessions.rotate(planted.id, { ...INIT, kind: 'admin' });
    assert.notEqual(signedIn.id, planted.id);
    assert.equal(sessions.get(planted.id), undefined);
    assert.equal(sessions.get(signedIn.id)?.kind, 'admin');
  });

  it('expires after the idle timeout, and get touches', () => {
    const { sessions, advance } = store();
    const session = sessions.create(INIT);
    advance(900);
    assert.ok(sessions.get(session.id));
    advance(900);
    assert.ok(sessions.get(session.id), 'touched 900 ms ago');
    advance(1000);
    assert.equal(sessions.get(session.id), undefined);
    assert.equal(sessions.size, 0);
  });

  it('expires after the absolute timeout however active', () => {
    const { sessions, advance } = store();
    const session = sessions.create(INIT);
    for (let elapsed = 0; elapsed < 4500; elapsed += 900) {
      advance(900);
      assert.ok(sessions.get(session.id));
    }
    advance(900);
    assert.equal(sessions.get(session.id), undefined);
  });

  it('destroy ends a session; data persists on the live object', () => {
    const { sessions } = store();
    const session = sessions.create(INIT);
    session.data.consents = ['x'];
    assert.deepEqual(sessions.get(session.id)?.data.consents, ['x']);
    sessions.destroy(session.id);
    assert.equal(sessions.get(session.id), undefined);
  });

  it('holds at most maxSessions, dropping the least recently seen', () => {
    const { sessions } = store(2);
    const a = sessions.create(INIT);
    const b = sessions.create(INIT);
    sessions.get(a.id);
    const c = sessions.create(INIT);
    assert.equal(sessions.size, 2);
    assert.equal(sessions.get(b.id), undefined);
    assert.ok(sessions.get(a.id));
    assert.ok(sessions.get(c.id));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  entryKeyOf,
  indexEntry,
  indexTargets,
  jtiIndexKey,
  keyStem,
  selectMembers,
  stemIndexKey,
  subjectIndexKey,
} from './redis-index.ts';

describe('redis-index', () => {
  it('lists an answer under its jti, subject and clients, by digest, and a forwarded key under its stem', () => {
    const entry = indexEntry('ns.hash.digest', {
      iss: 'https://idp.example',
      sub: 'alice@example.com',
      jti: 'j1',
      client_id: 'web',
      azp: 'web',
    });
    assert.equal(entry.setKeys.length, 4, 'jti, sub, one client (client_id = azp), stem');
    assert.ok(entry.setKeys.includes(jtiIndexKey('j1')));
    assert.ok(entry.setKeys.includes('ix:stem:ns.hash.'));
    assert.ok(entry.setKeys.every((key) => !key.includes('alice') && !key.includes('web')));
    assert.match(entry.member, /^[A-Za-z0-9_-]{22}\.ns\.hash\.digest$/);
    assert.equal(entryKeyOf(entry.member), 'ns.hash.digest');
    assert.deepEqual(indexEntry('ns.hash', { active: false }), { setKeys: [], member: '-.ns.hash' });
  });

  it('restricts subject and client evictions to the issuer named, and to answers naming none', () => {
    const ofA = indexEntry('a', { iss: 'https://a', sub: 's' }).member;
    const ofB = indexEntry('b', { iss: 'https://b', sub: 's' }).member;
    const ofNone = indexEntry('c', { sub: 's' }).member;
    const [restricted] = indexTargets({ subject: 's', issuer: 'https://a' });
    assert.deepEqual(restricted, { setKey: subjectIndexKey('s'), issuerRestricted: true });
    assert.deepEqual(selectMembers([ofA, ofB, ofNone], restricted, 'https://a'), [ofA, ofNone]);
    const [any] = indexTargets({ subject: 's' });
    assert.deepEqual(selectMembers([ofA, ofB, ofNone], any, undefined), [ofA, ofB, ofNone]);
    const targets = indexTargets({ jtis: ['j', 'j', ''], clientId: 'c', issuer: 'https://a' });
    assert.deepEqual(
      targets.map((target) => target.issuerRestricted),
      [false, true],
      'a jti is not restricted; duplicates and empty values are dropped',
    );
  });

  it('tells stems from other prefixes', () => {
    assert.equal(keyStem('a.b.c'), 'a.b.');
    assert.equal(keyStem('a.b'), undefined);
    assert.equal(stemIndexKey('a.b.'), 'ix:stem:a.b.');
    assert.equal(stemIndexKey('a.b'), undefined);
    assert.equal(stemIndexKey('a.'), undefined);
    assert.equal(stemIndexKey('a.b.c.'), undefined);
  });
});

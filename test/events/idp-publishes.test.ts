/**
 * @module test/events/idp-publishes.test
 * End to end: a real IdP publishing on a real Redis (a channel of its own per suite) for every revocation
 * path, with the identifiers caches key on: RFC 7009 revocation of an opaque access token (its SHA-256)
 * and of a JWT (its jti), of a refresh token (the whole grant), refresh-token reuse detection (the grant),
 * and an operator's revocation of a client or a subject (`idp.revocations`). A Redis that cannot be
 * reached never fails a revocation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Idp } from '../../src/idp/server.ts';
import { postForm, STATIC_TOKEN } from '../idp/support/seed-idp.ts';
import {
  APPS,
  REDIS_URL,
  RedisCollector,
  refresh,
  revoke,
  sha256,
  startEventsIdp,
  tokensOf,
  uniqueChannel,
} from './support/idp.ts';

const sorted = (values: readonly string[]) => [...values].sort();

describe('the IdP publishes revocation events on Redis', () => {
  let idp: Idp;
  let collector: RedisCollector;
  before(async () => {
    const channel = uniqueChannel();
    collector = await RedisCollector.start(channel);
    idp = await startEventsIdp({ events: { redis: { url: REDIS_URL, channel } } });
  });
  after(async () => {
    await idp?.close();
    await collector?.close();
  });

  it('RFC 7009, opaque access token: scope token, named by the SHA-256 of the token string', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, access_token);
    const event = await collector.next();
    assert.equal(event.scope, 'token');
    assert.deepEqual(event.tokenHashes, [sha256(access_token)]);
    assert.deepEqual(event.jtis, []);
    assert.equal(event.issuer, idp.issuer);
    assert.equal(event.tenant, 'default');
    assert.equal(event.clientId, APPS.opaque.id);
    assert.ok(Math.abs(event.at - Date.now() / 1000) < 60);
  });

  it('RFC 7009, JWT access token: scope token, named by its jti; revoking it again announces nothing', async () => {
    const { access_token } = await tokensOf(idp, APPS.jwt);
    const { jti, iss } = decodeJwt(access_token);
    await revoke(idp, APPS.jwt, access_token);
    const event = await collector.next();
    assert.equal(event.scope, 'token');
    assert.deepEqual(event.jtis, [jti]);
    assert.deepEqual(event.tokenHashes, []);
    assert.equal(event.issuer, iss);
    await revoke(idp, APPS.jwt, access_token);
    // A later event proves the second revocation published nothing in between.
    const { access_token: marker } = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, marker);
    assert.deepEqual((await collector.next()).tokenHashes, [sha256(marker)]);
  });

  it('RFC 7009, refresh token: scope family, every live token of the grant', async () => {
    const first = await tokensOf(idp, APPS.jwt, 'alice');
    const rotated = await refresh(idp, APPS.jwt, first.refresh_token!);
    assert.equal(rotated.status, 200, rotated.text);
    const second = rotated.json() as { access_token: string; refresh_token: string };
    await revoke(idp, APPS.jwt, second.refresh_token);
    const event = await collector.next();
    assert.equal(event.scope, 'family');
    assert.equal(event.subject, 'alice');
    assert.equal(event.clientId, APPS.jwt.id);
    assert.equal(typeof event.familyId, 'string');
    // JWT access tokens by jti; the (opaque) refresh tokens by digest, the consumed one included.
    assert.deepEqual(
      sorted(event.jtis),
      sorted([decodeJwt(first.access_token).jti!, decodeJwt(second.access_token).jti!]),
    );
    assert.deepEqual(
      sorted(event.tokenHashes),
      sorted([sha256(first.refresh_token!), sha256(second.refresh_token)]),
    );
  });

  it('refresh-token reuse detection: scope family, the grant the stolen token belongs to', async () => {
    const first = await tokensOf(idp, APPS.opaque, 'alice');
    const rotated = await refresh(idp, APPS.opaque, first.refresh_token!);
    assert.equal(rotated.status, 200, rotated.text);
    const second = rotated.json() as { access_token: string; refresh_token: string };
    const replay = await refresh(idp, APPS.opaque, first.refresh_token!);
    assert.equal(replay.status, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    const event = await collector.next();
    assert.equal(event.scope, 'family');
    assert.deepEqual(
      sorted(event.tokenHashes),
      sorted(
        [first.access_token, first.refresh_token!, second.access_token, second.refresh_token].map(sha256),
      ),
    );
    // The grant is really revoked: its newest access token is inactive.
    const answer = await postForm(
      `${idp.url}/oauth2/introspect`,
      { token: second.access_token },
      { authorization: `Bearer ${STATIC_TOKEN}` },
    );
    assert.equal(answer.json().active, false);
  });

  it('client revocation (idp.revocations.revokeClient): scope client, one event per issuer of the tenant', async () => {
    const a = await tokensOf(idp, APPS.jwt);
    const b = await tokensOf(idp, APPS.jwt);
    const outcome = await idp.revocations.revokeClient('default', APPS.jwt.id);
    assert.ok(outcome.revoked >= 2);
    const events = await collector.take(outcome.events.length);
    assert.deepEqual(
      sorted(events.map((e) => e.issuer)),
      sorted([idp.issuer, `${idp.issuer}/realms/default`]),
    );
    for (const event of events) {
      assert.equal(event.scope, 'client');
      assert.equal(event.clientId, APPS.jwt.id);
    }
    const jtis = events.flatMap((e) => e.jtis);
    for (const token of [a, b]) assert.ok(jtis.includes(decodeJwt(token.access_token).jti!));
  });

  it('subject revocation (idp.revocations.revokeSubject): scope subject, the subject’s live tokens', async () => {
    const bob = await tokensOf(idp, APPS.opaque, 'bob');
    const outcome = await idp.revocations.revokeSubject('default', 'bob');
    assert.equal(outcome.revoked, 2);
    const events = await collector.take(outcome.events.length);
    const own = events.find((e) => e.issuer === idp.issuer)!;
    assert.equal(own.scope, 'subject');
    assert.equal(own.subject, 'bob');
    assert.deepEqual(sorted(own.tokenHashes), sorted([bob.access_token, bob.refresh_token!].map(sha256)));
  });
});

describe('a revocation with Redis unreachable', () => {
  let idp: Idp;
  before(async () => {
    idp = await startEventsIdp({
      events: { redis: { url: 'redis://127.0.0.1:1', channel: uniqueChannel(), publishTimeout: '200ms' } },
    });
  });
  after(() => idp?.close());

  it('still succeeds: the token is revoked, the failed publication is counted', async () => {
    const { access_token } = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, access_token);
    const answer = await postForm(
      `${idp.url}/oauth2/introspect`,
      { token: access_token },
      { authorization: `Bearer ${STATIC_TOKEN}` },
    );
    assert.equal(answer.json().active, false);
    assert.deepEqual(idp.revocations.counts(), {
      events: 1,
      channels: { sse: { published: 1, failed: 0 }, redis: { published: 0, failed: 1 } },
    });
  });
});

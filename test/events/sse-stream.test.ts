/**
 * @module test/events/sse-stream.test
 * End to end: the IdP's revocation event stream over real HTTP on loopback. Events arrive as SETs
 * (RFC 8417) signed with the tenant's key and verifiable with its published JWKS, typed `secevent+jwt`,
 * with the event types and subjects documented in docs/EVENTS.md; the stream is advertised in the
 * discovery document; only introspection callers of the tenant may open it (401 / 403); `Last-Event-ID`
 * replays what was missed, an unknown position gets `event: reset` first; tenants are isolated; and two
 * replicas sharing Redis relay each other's events to their streams.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { REVOCATION_CLAIM, SESSION_REVOKED, TOKEN_REVOKED } from '../../src/events/set.ts';
import type { Idp } from '../../src/idp/server.ts';
import { basic, STATIC_TOKEN } from '../idp/support/seed-idp.ts';
import { eventually } from './support/eventually.ts';
import { APPS, REDIS_URL, revoke, sha256, startEventsIdp, tokensOf, uniqueChannel } from './support/idp.ts';
import { openStream } from './support/sse.ts';

const GATEWAY = { authorization: basic(APPS.gateway.id, APPS.gateway.secret) };

async function verify(idp: Idp, set: string, issuer = idp.issuer) {
  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
  return jwtVerify(set, keys, { issuer, typ: 'secevent+jwt' });
}

describe('the revocation event stream', () => {
  let idp: Idp;
  const streams: { close(): void }[] = [];
  const open = async (url: string, headers: Record<string, string>) => {
    const stream = await openStream(url, headers);
    streams.push(stream);
    return stream;
  };
  before(async () => {
    idp = await startEventsIdp();
  });
  after(async () => {
    for (const stream of streams) stream.close();
    await idp?.close();
  });

  it('is advertised in the discovery document of each issuer', async () => {
    const root = (await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(root.revocation_events_endpoint, `${idp.issuer}/events/revocations`);
    const realm = (await (
      await fetch(`${idp.url}/realms/foo.com/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(realm.revocation_events_endpoint, `${idp.issuer}/realms/foo.com/events/revocations`);
  });

  it('sends each revocation as a SET signed with the tenant key, typed, with CAEP-style events', async () => {
    const stream = await open(`${idp.url}/events/revocations`, GATEWAY);
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.equal(stream.headers['cache-control'], 'no-store');

    const { access_token } = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, access_token);
    const message = await stream.next();
    assert.equal(message.event, 'message');
    const { payload, protectedHeader } = await verify(idp, message.data);
    assert.equal(protectedHeader.typ, 'secevent+jwt');
    assert.equal(payload.jti, message.lastEventId, 'the SSE id is the SET jti');
    assert.equal(payload.aud, APPS.gateway.id);
    assert.equal(payload.sub, undefined);
    assert.equal(payload.exp, undefined);
    assert.deepEqual(Object.keys(payload.events as object), [TOKEN_REVOKED]);
    assert.deepEqual(payload.sub_id, { format: 'opaque', id: sha256(access_token) });
    const extension = payload[REVOCATION_CLAIM] as Record<string, unknown>;
    assert.equal(extension.scope, 'token');
    assert.deepEqual(extension.token_hashes, [sha256(access_token)]);

    const grant = await tokensOf(idp, APPS.jwt, 'alice');
    await revoke(idp, APPS.jwt, grant.refresh_token!);
    const family = await verify(idp, (await stream.next()).data);
    assert.deepEqual(Object.keys(family.payload.events as object), [SESSION_REVOKED]);
    const subject = family.payload.sub_id as Record<string, Record<string, string>>;
    assert.equal(subject.format as unknown, 'complex');
    assert.deepEqual(subject.user, { format: 'iss_sub', iss: idp.issuer, sub: 'alice' });
    assert.deepEqual(subject.application, { format: 'opaque', id: APPS.jwt.id });
    assert.deepEqual((family.payload[REVOCATION_CLAIM] as { jtis: string[] }).jtis, [
      decodeJwt(grant.access_token).jti,
    ]);
  });

  it('refuses callers that are not introspection callers of the tenant', async () => {
    const anonymous = await open(`${idp.url}/events/revocations`, {});
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic realm=/);
    const wrongSecret = await open(`${idp.url}/events/revocations`, {
      authorization: basic(APPS.gateway.id, 'nope'),
    });
    assert.equal(wrongSecret.status, 401);
    const plain = await open(`${idp.url}/events/revocations`, {
      authorization: basic(APPS.plain.id, APPS.plain.secret),
    });
    assert.equal(plain.status, 403);
    assert.equal(JSON.parse(plain.body).error, 'access_denied');
    const otherTenant = await open(`${idp.url}/t/foo.com/events/revocations`, {
      authorization: `Bearer ${STATIC_TOKEN}`,
    });
    assert.equal(otherTenant.status, 403, 'a static token of the default tenant may not read foo.com');
    const post = await fetch(`${idp.url}/events/revocations`, { method: 'POST', headers: GATEWAY });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
  });

  it('replays what was missed after Last-Event-ID, in order, then goes on live', async () => {
    const first = await open(`${idp.url}/events/revocations`, { authorization: `Bearer ${STATIC_TOKEN}` });
    const a = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, a.access_token);
    const seen = await first.next();
    first.close();
    const missed = [await tokensOf(idp, APPS.opaque), await tokensOf(idp, APPS.opaque)];
    for (const token of missed) await revoke(idp, APPS.opaque, token.access_token);

    const resumed = await open(`${idp.url}/events/revocations`, {
      authorization: `Bearer ${STATIC_TOKEN}`,
      'last-event-id': seen.lastEventId,
    });
    const replayed = [await resumed.next(), await resumed.next()];
    const hashes = replayed.map(
      (message) => (decodeJwt(message.data)[REVOCATION_CLAIM] as { token_hashes: string[] }).token_hashes[0],
    );
    assert.deepEqual(
      hashes,
      missed.map((token) => sha256(token.access_token)),
    );
    const live = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, live.access_token);
    assert.deepEqual(
      (decodeJwt((await resumed.next()).data)[REVOCATION_CLAIM] as { token_hashes: string[] }).token_hashes,
      [sha256(live.access_token)],
    );
  });

  it('answers an unknown position with event: reset first, handing out the newest position', async () => {
    const stream = await open(`${idp.url}/events/revocations`, {
      authorization: `Bearer ${STATIC_TOKEN}`,
      'last-event-id': 'no-such-event',
    });
    const reset = await stream.next();
    assert.equal(reset.event, 'reset');
    assert.notEqual(reset.lastEventId, 'no-such-event');
    assert.ok(reset.lastEventId.length > 0, 'the newest buffered event id');
  });

  it('hands a stream opened without a position the newest one, so it can resume without a reset', async () => {
    const watcher = await open(`${idp.url}/events/revocations`, GATEWAY);
    const { access_token } = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, access_token);
    const newest = (await watcher.next()).lastEventId;
    const later = await open(`${idp.url}/events/revocations`, GATEWAY);
    await eventually('the position handed out', () => later.lastEventId() === newest);
    assert.equal(later.messages.length, 0, 'an id-only message dispatches no event');
  });

  it('keeps tenants apart: a stream of foo.com hears only foo.com', async () => {
    const foo = await open(`${idp.url}/t/foo.com/events/revocations`, {
      authorization: basic('admin', 'admin'),
    });
    assert.equal(foo.status, 200);
    const ours = await tokensOf(idp, APPS.opaque);
    await revoke(idp, APPS.opaque, ours.access_token);
    const wso2 = await fetch(`${idp.url}/t/foo.com/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: basic('wso2-app', 'wso2-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const theirs = ((await wso2.json()) as { access_token: string }).access_token;
    const revoked = await fetch(`${idp.url}/t/foo.com/oauth2/revoke`, {
      method: 'POST',
      headers: {
        authorization: basic('wso2-app', 'wso2-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: theirs }).toString(),
    });
    assert.equal(revoked.status, 200);
    const message = await foo.next();
    const { payload } = await verify(idp, message.data, `${idp.issuer}/t/foo.com`);
    assert.deepEqual((payload[REVOCATION_CLAIM] as { token_hashes: string[] }).token_hashes, [
      sha256(theirs),
    ]);
    assert.equal((payload[REVOCATION_CLAIM] as { tenant: string }).tenant, 'foo.com');
    assert.equal(decodeProtectedHeader(message.data).typ, 'secevent+jwt');
  });
});

describe('replicas sharing Redis', () => {
  let a: Idp;
  let b: Idp;
  before(async () => {
    const events = { redis: { url: REDIS_URL, channel: uniqueChannel() } };
    a = await startEventsIdp({ events });
    b = await startEventsIdp({ events });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('relay each other’s revocations to their streams, once, under the same event id', async () => {
    const onB = await openStream(`${b.url}/events/revocations`, GATEWAY);
    const onA = await openStream(`${a.url}/events/revocations`, GATEWAY);
    try {
      const { access_token } = await tokensOf(a, APPS.opaque);
      await revoke(a, APPS.opaque, access_token);
      const [fromA, fromB] = [await onA.next(), await onB.next()];
      assert.equal(fromB.lastEventId, fromA.lastEventId);
      const { payload } = await verify(b, fromB.data);
      assert.deepEqual((payload[REVOCATION_CLAIM] as { token_hashes: string[] }).token_hashes, [
        sha256(access_token),
      ]);
      // A's own event came back from Redis too, and was not sent twice.
      const marker = await tokensOf(a, APPS.opaque);
      await revoke(a, APPS.opaque, marker.access_token);
      await eventually('the next event on A', () => onA.messages.length === 2);
      assert.notEqual(onA.messages[1].lastEventId, fromA.lastEventId);
    } finally {
      onA.close();
      onB.close();
    }
  });
});

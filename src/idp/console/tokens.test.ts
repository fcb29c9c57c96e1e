/**
 * @module idp/console/tokens.test
 * The token list and revocations: active tokens by client or subject with the answer the introspection
 * endpoint gives for each (compared with the endpoint's own), revoking one (a refresh token takes its
 * grant along), and revoking all of a client or subject through the revocation service when there is one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RevocationEvent } from '../../events/types.ts';
import { silentLogger } from '../../observability/logger.ts';
import { RevocationEvents } from '../events/revocation-events.ts';
import { RFC9068_REALM, STATIC_CALLER, setup } from '../tokens/test-support/fixtures.ts';
import { revokeAllOf, revokeById, searchTokens } from './tokens.ts';

async function fixture() {
  const f = await setup();
  const jwtClient = await f.client({
    clientId: 'jwt-app',
    tokenFormat: 'jwt',
    policies: [{ rn: 'svc', role: 'reader' }],
  });
  const opaqueClient = await f.client({ clientId: 'opaque-app', tokenFormat: 'opaque' });
  const issue = (client: typeof jwtClient, withRefreshToken = false) =>
    f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: client.clientId,
      scope: ['read'],
      withRefreshToken,
    });
  return { ...f, jwtClient, opaqueClient, issue };
}

describe('console tokens', () => {
  it('lists active tokens by client with the answer the introspection endpoint gives', async () => {
    const f = await fixture();
    const jwt = await f.issue(f.jwtClient);
    const opaque = await f.issue(f.opaqueClient);
    for (const [clientId, token] of [
      ['jwt-app', jwt.access_token],
      ['opaque-app', opaque.access_token],
    ]) {
      const rows = await searchTokens(f.store, 'default', { clientId }, f.clock.now);
      assert.equal(rows.length, 1);
      const endpoint = await f.service.introspect({ realm: RFC9068_REALM, token, caller: STATIC_CALLER });
      assert.deepEqual(rows[0].answer, endpoint);
      assert.equal(JSON.stringify(rows[0]).includes(token), false, 'the token value is never listed');
    }
    assert.equal((await searchTokens(f.store, 'default', {}, f.clock.now)).length, 2);
    assert.equal((await searchTokens(f.store, 'default', { subject: 'nobody' }, f.clock.now)).length, 0);
  });

  it('revokes one token; a refresh token takes its grant along', async () => {
    const f = await fixture();
    await f.issue(f.opaqueClient);
    const withRefresh = await f.issue(f.jwtClient, true);
    const rows = await searchTokens(f.store, 'default', { clientId: 'jwt-app' }, f.clock.now);
    const refresh = rows.find((row) => row.kind === 'refresh')!;
    assert.equal(await revokeById(f.store, undefined, 'default', refresh.id, f.clock.now), true);
    assert.equal((await searchTokens(f.store, 'default', { clientId: 'jwt-app' }, f.clock.now)).length, 0);
    const answer = await f.service.introspect({
      realm: RFC9068_REALM,
      token: withRefresh.access_token,
      caller: STATIC_CALLER,
    });
    assert.deepEqual(answer, { active: false });
    assert.equal((await searchTokens(f.store, 'default', { clientId: 'opaque-app' }, f.clock.now)).length, 1);
    assert.equal(await revokeById(f.store, undefined, 'default', 'unknown', f.clock.now), false);
  });

  it('revokes all of a client or subject, through the revocation service (with its event) when there is one', async () => {
    const f = await fixture();
    await f.issue(f.jwtClient);
    await f.issue(f.jwtClient);
    await f.issue(f.opaqueClient);
    assert.equal(await revokeAllOf(f.store, undefined, 'default', { clientId: 'jwt-app' }, f.clock.now), 2);
    assert.equal((await searchTokens(f.store, 'default', {}, f.clock.now)).length, 1);
    const published: RevocationEvent[] = [];
    const revocations = new RevocationEvents({
      store: f.store,
      logger: silentLogger,
      now: () => f.clock.now,
      publisher: { publish: async (event) => void published.push(event), close: async () => {} },
    });
    const subject = f.opaqueClient.clientId;
    assert.equal(await revokeAllOf(f.store, revocations, 'default', { subject }, f.clock.now), 1);
    assert.deepEqual(
      published.map((event) => [event.scope, event.subject, event.tokenHashes.length]),
      [['subject', subject, 1]],
    );
    assert.equal((await searchTokens(f.store, 'default', {}, f.clock.now)).length, 0);
  });
});

/**
 * @module test/events/cli.test
 * The operator's revocations from the command line (`tokenguard idp tokens revoke-client | revoke-subject`,
 * and `tokens revoke`) on the store of a running IdP: the tokens are revoked, the event goes out on Redis,
 * and the running IdP relays it to its SSE stream. Without `idp.events.redis.url` the command says that
 * caches will keep the tokens until their TTL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { main } from '../../src/cli/main.ts';
import { REVOCATION_CLAIM } from '../../src/events/set.ts';
import type { Idp } from '../../src/idp/server.ts';
import { STATIC_TOKEN } from '../idp/support/seed-idp.ts';
import {
  APPS,
  REDIS_URL,
  RedisCollector,
  sha256,
  startEventsIdp,
  tokensOf,
  uniqueChannel,
} from './support/idp.ts';
import { openStream } from './support/sse.ts';

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (line) => out.push(line), err: (line) => err.push(line), env: {} });
  return { code, out, err };
}

describe('tokenguard idp tokens revoke-client | revoke-subject', () => {
  let dir: string;
  let store: string;
  let config: string;
  let bare: string;
  let idp: Idp;
  let collector: RedisCollector;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-events-cli-'));
    store = `sqlite:${join(dir, 'idp.db')}`;
    const channel = uniqueChannel();
    collector = await RedisCollector.start(channel);
    idp = await startEventsIdp({ store, events: { redis: { url: REDIS_URL, channel } } });
    config = join(dir, 'idp.yaml');
    writeFileSync(
      config,
      [
        'idp:',
        `  store: ${store}`,
        '  events:',
        '    redis:',
        `      url: ${REDIS_URL}`,
        `      channel: ${channel}`,
        '',
      ].join('\n'),
    );
    bare = join(dir, 'bare.yaml');
    writeFileSync(bare, ['idp:', `  store: ${store}`, ''].join('\n'));
  });
  after(async () => {
    await idp?.close();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('revoke-client revokes, publishes on Redis, and the running IdP relays it to its stream', async () => {
    const stream = await openStream(`${idp.url}/events/revocations`, {
      authorization: `Bearer ${STATIC_TOKEN}`,
    });
    try {
      const { access_token } = await tokensOf(idp, APPS.jwt);
      const result = await run(['idp', 'tokens', 'revoke-client', APPS.jwt.id, '--config', config]);
      assert.equal(result.code, 0, result.err.join('\n'));
      assert.equal(result.out[0], `1 token of client ${APPS.jwt.id} revoked in tenant default`);
      assert.match(result.out[1], /^1 revocation event published on tokenguard:test:revocations:/);
      const event = await collector.next();
      assert.equal(event.scope, 'client');
      assert.equal(event.clientId, APPS.jwt.id);
      assert.deepEqual(event.jtis, [decodeJwt(access_token).jti]);
      const relayed = await stream.next();
      assert.equal(relayed.lastEventId, event.id);
      assert.equal((decodeJwt(relayed.data)[REVOCATION_CLAIM] as { scope: string }).scope, 'client');
    } finally {
      stream.close();
    }
  });

  it('revoke-subject and tokens revoke publish too', async () => {
    const alice = await tokensOf(idp, APPS.opaque, 'alice');
    const result = await run(['idp', 'tokens', 'revoke-subject', 'alice', '--config', config]);
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.equal(result.out[0], '2 tokens of subject alice revoked in tenant default');
    const event = await collector.next();
    assert.equal(event.scope, 'subject');
    assert.deepEqual(
      [...event.tokenHashes].sort(),
      [alice.access_token, alice.refresh_token!].map(sha256).sort(),
    );

    const { access_token } = await tokensOf(idp, APPS.opaque);
    const single = await run(['idp', 'tokens', 'revoke', access_token, '--config', config]);
    assert.equal(single.code, 0, single.err.join('\n'));
    assert.deepEqual((await collector.next()).tokenHashes, [sha256(access_token)]);
  });

  it('says so when no event can be published, and refuses a missing argument', async () => {
    await tokensOf(idp, APPS.opaque, 'bob');
    const result = await run(['idp', 'tokens', 'revoke-subject', 'bob', '--config', bare]);
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.match(result.out[1], /no revocation event published \(idp\.events\.redis\.url is not set\)/);
    const usage = await run(['idp', 'tokens', 'revoke-client', '--config', bare]);
    assert.equal(usage.code, 2);
  });
});

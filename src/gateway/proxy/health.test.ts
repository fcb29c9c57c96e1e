/**
 * @module gateway/proxy/health.test
 * Round-robin and passive health checks end to end: two real upstreams, one of which goes down (its port
 * closed), is skipped after N failures without a client noticing, and comes back once the cooldown has
 * passed on the engine's clock.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { sendJson } from '../../../test/support/loopback.ts';
import { specFor, startGateway, startServer, teardown } from './test-support/harness.ts';
import { createUpstream } from './upstream.ts';

describe('round-robin with passive health', () => {
  const client = new Agent({ keepAliveTimeout: 10 });
  const cleanups = teardown();
  cleanups(() => client.close());

  it('spreads requests, skips a dead URL after N failures and retries it after the cooldown', async () => {
    const hits = { a: 0, b: 0 };
    const a = await startServer((_req, res) => sendJson(res, 200, { from: 'a', n: ++hits.a }));
    const b = await startServer((_req, res) => sendJson(res, 200, { from: 'b', n: ++hits.b }));
    cleanups(a.close, b.close);
    let now = 0;
    const changes: string[] = [];
    const upstream = createUpstream(
      specFor([a.url, b.url], { unhealthyAfterFailures: 2, unhealthyCooldownMs: 1000 }),
      {
        now: () => now,
        metrics: {
          onHealthChange: (url, healthy) => changes.push(`${url === a.url ? 'a' : 'b'}:${healthy}`),
        },
      },
    );
    const gateway = await startGateway(upstream);
    cleanups(() => upstream.close(), gateway.close);
    const send = async (count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const response = await request(`${gateway.url}/`, { dispatcher: client });
        statuses.push(response.statusCode);
        await response.body.dump();
      }
      return statuses;
    };

    assert.deepEqual(await send(4), [200, 200, 200, 200]);
    assert.deepEqual(hits, { a: 2, b: 2 });

    await a.close();
    await sleep(20); // lets the pool see its keep-alive sockets to `a` closed
    assert.deepEqual(await send(4), [200, 200, 200, 200], 'bodiless requests retried on b');
    assert.deepEqual(hits, { a: 2, b: 6 });
    assert.deepEqual(changes, ['a:false']);

    // `a` is back on its port, but out of rotation until the cooldown ends
    a.server.listen(Number(new URL(a.url).port), '127.0.0.1');
    await once(a.server, 'listening');
    assert.deepEqual(await send(4), [200, 200, 200, 200]);
    assert.deepEqual(hits, { a: 2, b: 10 });

    now += 1000;
    assert.deepEqual(await send(4), [200, 200, 200, 200]);
    assert.ok(hits.a >= 4, `a answered ${hits.a - 2} of 4 after the cooldown`);
    assert.deepEqual(changes, ['a:false', 'a:true']);
  });
});

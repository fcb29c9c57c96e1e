/**
 * @module test/gateway/lifecycle.test
 * The gateway over its life: health, readiness and metrics on the API listener; hot reload (a valid
 * configuration takes over while a request started before it finishes on the old one, an unchanged
 * authenticator keeps its warm cache, a changed one is replaced; an invalid configuration is refused with
 * the key path and the old one stays in force); graceful shutdown (readiness 503, no new connections, the
 * request in flight finishes, then the listeners close).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayConfigInput } from '../../src/gateway/config/schema.ts';
import type { Idp } from '../../src/idp/server.ts';
import { authkitToken, startSeedIdp } from '../idp/support/seed-idp.ts';
import {
  bearer,
  call,
  type RecordingUpstream,
  seedAuth,
  startGateway,
  startUpstream,
  type TestGateway,
} from './support/harness.ts';

/** The value of a counter line of the Prometheus text, 0 when absent. */
function counter(text: string, line: string): number {
  const found = text.split('\n').find((entry) => entry.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

const ACTIVE = 'tokenguard_authentications_total{outcome="active"}';

describe('gateway lifecycle', () => {
  let idp: Idp;
  let first: RecordingUpstream;
  let second: RecordingUpstream;
  let token: string;

  before(async () => {
    idp = await startSeedIdp();
    first = await startUpstream('first');
    second = await startUpstream('second');
    token = await authkitToken(idp, 'user', 'user-pwd');
  });

  after(async () => {
    await first?.close();
    await second?.close();
    await idp?.close();
  });

  const section = (upstream: RecordingUpstream, auth: Record<string, unknown> = {}): GatewayConfigInput => ({
    authenticators: { idp: seedAuth(idp, auth) },
    routes: [{ name: 'api', match: { pathPrefix: '/' }, upstream: { urls: [upstream.url] } }],
  });

  describe('health, readiness, metrics and reload', () => {
    let gw: TestGateway;
    before(async () => {
      gw = await startGateway(section(first));
    });
    after(() => gw?.close());

    it('serves /healthz, /readyz and /metrics (library and gateway metrics)', async () => {
      assert.deepEqual((await call(`${gw.api}/healthz`)).json(), { status: 'ok' });
      const ready = await call(`${gw.api}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json(), { status: 'ready' });
      assert.equal((await call(`${gw.url}/x`, { headers: bearer(token) })).status, 200);
      const metrics = await call(`${gw.api}/metrics`);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(counter(metrics.text, 'tokenguard_gateway_requests_total{route="api",status="200"}'), 1);
      assert.equal(counter(metrics.text, ACTIVE), 1);
      assert.match(
        metrics.text,
        /tokenguard_idp_request_duration_seconds_count\{operation="introspect",status="200"\} 1/,
      );
      assert.match(
        metrics.text,
        /tokenguard_gateway_upstream_duration_seconds_count\{route="api",outcome="proxied",status="200"\} 1/,
      );
    });

    it('swaps a valid configuration in, keeping the unchanged authenticator and its cache', async () => {
      const authenticator = gw.gateway.authenticator('idp');
      await gw.gateway.reload(section(second));
      assert.equal(gw.gateway.authenticator('idp'), authenticator, 'the same authenticator serves on');
      const reply = await call(`${gw.url}/x`, { headers: bearer(token) });
      assert.equal(reply.status, 200);
      assert.equal(reply.json().upstream, 'second');
      const metrics = (await call(`${gw.api}/metrics`)).text;
      assert.equal(counter(metrics, ACTIVE), 1, 'answered from the warm cache, no new introspection');
      assert.ok(gw.logs.some((line) => line.msg === 'configuration reloaded'));
    });

    it('replaces an authenticator whose section changed', async () => {
      const before = gw.gateway.authenticator('idp');
      await gw.gateway.reload(section(second, { realm: 'changed' }));
      assert.notEqual(gw.gateway.authenticator('idp'), before);
      const missing = await call(`${gw.url}/x`);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="changed"');
    });

    it('refuses an invalid configuration with the key path and keeps the one in force', async () => {
      const bad = {
        ...section(first),
        routes: [{ match: { pathPrefix: '/' }, upstream: { urls: [first.url, 'ftp://files.example'] } }],
      };
      await assert.rejects(gw.gateway.reload(bad), (error: Error & { path?: string }) => {
        assert.equal(error.path, 'gateway.routes[0].upstream.urls[1]');
        assert.match(
          error.message,
          /gateway\.routes\[0\]\.upstream\.urls\[1\]: must be an absolute http\(s\) URL/,
        );
        return true;
      });
      const logged = gw.logs.find((line) => line.msg === 'configuration rejected; the one in force stays');
      assert.match(String(logged?.error_detail), /^gateway\.routes\[0\]\.upstream\.urls\[1\]: /);
      await assert.rejects(
        gw.gateway.reload({ ...section(first), routes: [{ auth: { authenticator: 'other' } }] }),
        /gateway\.routes\[0\]\.auth\.authenticator: unknown authenticator "other"/,
      );
      const reply = await call(`${gw.url}/x`, { headers: bearer(token) });
      assert.equal(reply.json().upstream, 'second', 'the configuration in force still serves');
      assert.equal((await call(`${gw.api}/readyz`)).status, 200);
    });

    it('lets a request started before a reload finish on the configuration it started on', async () => {
      await gw.gateway.reload(section(first));
      const slow = call(`${gw.url}/slow`, { headers: bearer(token) });
      await first.held();
      await gw.gateway.reload(section(second));
      const during = await call(`${gw.url}/x`, { headers: bearer(token) });
      assert.equal(during.json().upstream, 'second');
      first.release();
      const finished = await slow;
      assert.equal(finished.status, 200);
      assert.deepEqual(finished.json(), { upstream: 'first', slow: true });
    });
  });

  it('drains on close: readiness 503, no new connections, the request in flight finishes', async () => {
    const gw = await startGateway({ ...section(first), shutdownTimeout: '10s' });
    const slow = call(`${gw.url}/slow`, { headers: bearer(token) });
    await first.held();
    const closed = gw.close();
    await new Promise((resolve) => setImmediate(resolve));
    const readiness = await call(`${gw.api}/readyz`);
    assert.equal(readiness.status, 503);
    assert.deepEqual(readiness.json(), { status: 'draining' });
    await assert.rejects(fetch(`${gw.url}/x`, { headers: bearer(token) }), 'no new connection is accepted');
    first.release();
    const finished = await slow;
    assert.equal(finished.status, 200);
    assert.deepEqual(finished.json(), { upstream: 'first', slow: true });
    await closed;
    await assert.rejects(fetch(`${gw.api}/healthz`), 'the API listener is closed too');
    assert.ok(gw.logs.some((line) => line.msg === 'gateway stopped'));
  });
});

/**
 * @module discovery/discovery-client.test
 * DiscoveryClient against a real HTTP server on loopback: well-known URLs, RFC 8414 fallback, document
 * validation, status mapping, cache TTL (injected clock), bounded cache, single-flight, abandonment.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { rejectsWith } from '../../test/support/assertions.ts';
import { closedPortUrl } from '../../test/support/loopback.ts';
import { HttpClient } from '../util/http-client.ts';
import { DiscoveryClient } from './discovery-client.ts';
import { TestServer } from './test-support/test-server.ts';

const OIDC = '/.well-known/openid-configuration';

describe('DiscoveryClient', () => {
  let server: TestServer;
  let http: HttpClient;
  let clock: number;
  const now = () => clock;
  const client = (ttlMs = 60_000, maxEntries?: number) =>
    new DiscoveryClient({ http, ttlMs, maxEntries, now });

  before(async () => {
    server = await TestServer.start();
    http = new HttpClient({ retries: 0, timeoutMs: 5000 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  beforeEach(() => {
    server.routes.clear();
    server.requests.length = 0;
    clock = 1_000_000;
  });

  it('fetches <issuer>/.well-known/openid-configuration and returns the validated document', async () => {
    server.json(OIDC, { issuer: server.url, jwks_uri: `${server.url}/jwks`, extra: 1 });
    const metadata = await client().get(server.url);
    assert.equal(metadata.issuer, server.url);
    assert.equal(metadata.jwks_uri, `${server.url}/jwks`);
    assert.equal(metadata.extra, 1);
    assert.deepEqual(server.requests, [OIDC]);
  });

  it('removes exactly one trailing slash of the issuer before appending the well-known path', async () => {
    server.json(`/tenant${OIDC}`, { issuer: `${server.url}/tenant/` });
    const metadata = await client().get(`${server.url}/tenant/`);
    assert.equal(metadata.issuer, `${server.url}/tenant/`);
    assert.deepEqual(server.requests, [`/tenant${OIDC}`]);
  });

  it('accepts an issuer member differing from the requested issuer by one trailing slash', async () => {
    server.json(OIDC, { issuer: `${server.url}/` });
    assert.equal((await client().get(server.url)).issuer, `${server.url}/`);
  });

  it('falls back to the RFC 8414 §3.1 URL (well-known segment before the path) on 404', async () => {
    server.json('/.well-known/oauth-authorization-server/tenant1', {
      issuer: `${server.url}/tenant1`,
      introspection_endpoint: `${server.url}/tenant1/introspect`,
    });
    const metadata = await client().get(`${server.url}/tenant1`);
    assert.equal(metadata.introspection_endpoint, `${server.url}/tenant1/introspect`);
    assert.deepEqual(server.requests, [`/tenant1${OIDC}`, '/.well-known/oauth-authorization-server/tenant1']);
  });

  it('fails with discovery_failed when neither well-known URL exists', async () => {
    const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
    assert.match(error.detail ?? '', /HTTP 404/);
    assert.equal(server.requests.length, 2);
  });

  it('rejects a document whose issuer is another issuer (RFC 8414 §3.3)', async () => {
    server.json(OIDC, { issuer: 'https://attacker.example', jwks_uri: 'https://attacker.example/jwks' });
    const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
    assert.match(error.detail ?? '', /not the requested issuer/);
  });

  it('does not forgive more than one trailing slash in the issuer comparison', async () => {
    server.json(OIDC, { issuer: `${server.url}//` });
    await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
  });

  for (const [name, body] of [
    ['a body that is not JSON', '<html>oops</html>'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a document without issuer', '{"jwks_uri":"https://idp.example/jwks"}'],
  ] as const) {
    it(`rejects ${name} with discovery_failed`, async () => {
      server.json(OIDC, body);
      await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
    });
  }

  for (const jwksUri of ['/jwks', 'https:idp.example/jwks', 'file:///etc/passwd', 42]) {
    it(`rejects a jwks_uri that is not an absolute http(s) URL: ${JSON.stringify(jwksUri)}`, async () => {
      server.json(OIDC, { issuer: server.url, jwks_uri: jwksUri });
      const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
      assert.match(error.detail ?? '', /jwks_uri/);
    });
  }

  it('maps 503 with Retry-After to serviceUnavailable idp_unavailable carrying retryAfter', async () => {
    server.json(OIDC, { error: 'down' }, 503, { 'retry-after': '42' });
    const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'idp_unavailable');
    assert.equal(error.retryAfter, 42);
    assert.equal(error.httpStatus, 503);
  });

  it('maps 429 with Retry-After to serviceUnavailable idp_throttled carrying retryAfter', async () => {
    server.json(OIDC, { error: 'slow down' }, 429, { 'retry-after': '17' });
    const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'idp_throttled');
    assert.equal(error.retryAfter, 17);
  });

  it('maps another non-200 status to discovery_failed', async () => {
    server.json(OIDC, { error: 'boom' }, 500);
    const error = await rejectsWith(client().get(server.url), 'serviceUnavailable', 'discovery_failed');
    assert.match(error.detail ?? '', /HTTP 500/);
  });

  it('fails with serviceUnavailable discovery_failed when the IdP is down (closed port)', async () => {
    const down = await closedPortUrl();
    const error = await rejectsWith(client().get(down), 'serviceUnavailable', 'discovery_failed');
    assert.match(error.detail ?? '', /idp_unreachable/);
  });

  it('rejects an issuer URL with a query without any HTTP call', async () => {
    await rejectsWith(client().get(`${server.url}/?tenant=1`), 'serviceUnavailable', 'discovery_failed');
    assert.equal(server.requests.length, 0);
  });

  it('makes one HTTP call for 10 concurrent lookups of one issuer (single-flight)', async () => {
    const release = server.hold(OIDC, { issuer: server.url });
    const discovery = client();
    const lookups = Array.from({ length: 10 }, () => discovery.get(server.url));
    release();
    const results = await Promise.all(lookups);
    assert.equal(server.hits(OIDC), 1);
    for (const metadata of results) assert.equal(metadata, results[0]);
  });

  it('serves the cached document until ttlMs has passed (injected clock), then fetches again', async () => {
    server.json(OIDC, { issuer: server.url });
    const discovery = client(10_000);
    await discovery.get(server.url);
    clock += 9_999;
    await discovery.get(`${server.url}/`);
    assert.equal(server.hits(OIDC), 1, 'served from the cache within the TTL, with or without slash');
    clock += 1;
    await discovery.get(server.url);
    assert.equal(server.hits(OIDC), 2, 'fetched again once the TTL has passed');
  });

  it('does not cache failures: the next lookup after an error fetches again', async () => {
    server.json(OIDC, { error: 'down' }, 503, { 'retry-after': '1' });
    const discovery = client();
    await rejectsWith(discovery.get(server.url), 'serviceUnavailable', 'idp_unavailable');
    server.json(OIDC, { issuer: server.url });
    assert.equal((await discovery.get(server.url)).issuer, server.url);
    assert.equal(server.hits(OIDC), 2);
  });

  it('keeps at most maxEntries issuers, evicting the oldest', async () => {
    for (const tenant of ['a', 'b', 'c'])
      server.json(`/${tenant}${OIDC}`, { issuer: `${server.url}/${tenant}` });
    const discovery = client(60_000, 2);
    for (const tenant of ['a', 'b', 'c']) await discovery.get(`${server.url}/${tenant}`);
    await discovery.get(`${server.url}/c`);
    await discovery.get(`${server.url}/a`);
    assert.equal(server.hits(`/c${OIDC}`), 1, 'a recent entry is kept');
    assert.equal(server.hits(`/a${OIDC}`), 2, 'the oldest entry was evicted');
  });

  it('lets one caller stop waiting without failing the others sharing the fetch', async () => {
    const release = server.hold(OIDC, { issuer: server.url });
    const discovery = client();
    const controller = new AbortController();
    const impatient = discovery.get(server.url, controller.signal);
    const patient = discovery.get(server.url);
    controller.abort();
    await rejectsWith(impatient, 'serviceUnavailable', 'discovery_failed');
    release();
    assert.equal((await patient).issuer, server.url);
    assert.equal(server.hits(OIDC), 1);
  });
});

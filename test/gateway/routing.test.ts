/**
 * @module test/gateway/routing.test
 * Route matching through the proxy listener: host globs, path prefixes, exact paths and patterns, methods,
 * configuration order; the request target normalized before matching and forwarded as matched (dot
 * segments, `//`, encoded unreserved characters; encoded slashes refused); 404 `routeNotFound` when
 * nothing matches; request limits (413 for bodies declared or streamed past `maxBodySize`, 431 for a head
 * past `maxHeaderSize`). Raw node:http requests send targets exactly as written (fetch would normalize).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../idp/support/seed-idp.ts';
import { closedPortUrl } from '../support/loopback.ts';
import { type RecordingUpstream, startGateway, startUpstream, type TestGateway } from './support/harness.ts';

describe('routing', () => {
  let first: RecordingUpstream;
  let second: RecordingUpstream;
  let gw: TestGateway;

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    rawRequest(gw.url, { method, path, headers });
  /** Which upstream answered, from its JSON body. */
  const served = (body: string) => (JSON.parse(body) as { upstream: string }).upstream;

  before(async () => {
    first = await startUpstream('first');
    second = await startUpstream('second');
    const to = (upstream: RecordingUpstream) => ({ urls: [upstream.url] });
    gw = await startGateway({
      errorDomain: 'Gateway',
      limits: { maxHeaderSize: '2kb' },
      authenticators: {
        // never reached in these tests: requests without a token are refused before any IdP call
        idp: {
          introspection: {
            endpoint: `${await closedPortUrl()}/introspect`,
            clientAuth: { accessToken: 'x' },
          },
        },
      },
      routes: [
        {
          name: 'tenant-host',
          match: { hosts: ['*.tenants.example'] },
          upstream: to(second),
          auth: 'public',
        },
        { name: 'admin', match: { pathPrefix: '/admin' }, upstream: to(first) },
        { name: 'orders', match: { path: '/users/:id/orders/*' }, upstream: to(second), auth: 'public' },
        { name: 'exact', match: { path: '/status' }, upstream: to(second), auth: 'public' },
        {
          name: 'writes',
          match: { pathPrefix: '/items', methods: ['post', 'PUT'] },
          upstream: to(second),
          auth: 'public',
        },
        { name: 'items', match: { pathPrefix: '/items' }, upstream: to(first), auth: 'public' },
        {
          name: 'small',
          match: { pathPrefix: '/upload' },
          upstream: to(first),
          auth: 'public',
          maxBodySize: 16,
        },
        { name: 'public', match: { pathPrefix: '/public' }, upstream: to(first), auth: 'public' },
        { name: 'decide-only', match: { pathPrefix: '/decide' }, auth: 'public' },
      ],
    });
  });

  after(async () => {
    await gw?.close();
    await first?.close();
    await second?.close();
  });

  it('matches hosts by glob, before path routes that come later', async () => {
    const answer = await get('/admin', { host: 'acme.tenants.example:8080' });
    assert.equal(answer.status, 200);
    assert.equal(served(answer.body), 'second');
    assert.equal((await get('/admin', { host: 'tenants.example' })).status, 401);
  });

  it('matches patterns (`:param`, `*`) and exact paths', async () => {
    assert.equal(served((await get('/users/42/orders/7/lines')).body), 'second');
    assert.equal((await get('/users/42/orders')).status, 404);
    assert.equal((await get('/users//orders/1')).status, 404, 'a `:param` segment is never empty');
    assert.equal(served((await get('/status')).body), 'second');
    assert.equal((await get('/status/more')).status, 404);
  });

  it('matches methods, and the first matching route wins', async () => {
    assert.equal(served((await get('/items/1', {}, 'POST')).body), 'second');
    assert.equal(served((await get('/items/1', {}, 'PUT')).body), 'second');
    assert.equal(served((await get('/items/1', {}, 'GET')).body), 'first');
  });

  it('answers 404 routeNotFound with the JSON error body when nothing matches', async () => {
    const answer = await get('/nowhere');
    assert.equal(answer.status, 404);
    assert.deepEqual(JSON.parse(answer.body), {
      error: { domain: 'Gateway', code: 'routeNotFound', message: 'No route matches the request.' },
    });
    assert.equal((await get('/decide/x')).status, 404, 'a route without upstream serves decisions only');
  });

  it('matches and forwards the normalized path, so `..` and `//` cannot reach another route', async () => {
    for (const path of [
      '/public/../admin',
      '/public/%2e%2e/admin',
      '//admin',
      '/%61dmin',
      '/public/./../admin/',
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 401, `${path} is the protected /admin route`);
    }
    const answer = await get('/public/a/./b/../c%7e?x=%2F');
    assert.equal(answer.status, 200);
    assert.equal(first.last().url, '/public/a/c~?x=%2F');
  });

  it('refuses encoded slashes and backslashes in the path (400)', async () => {
    const answer = await get('/public%2F..%2Fadmin');
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).error.code, 'invalidRequest');
    assert.equal(answer.headers['www-authenticate'], undefined);
    assert.equal((await get('/public/..%5Cadmin')).status, 400);
  });

  it('refuses a declared body over the route limit with 413', async () => {
    const answer = await rawRequest(gw.url, {
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(17),
    });
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.body).error.code, 'requestTooLarge');
    const fits = await rawRequest(gw.url, { method: 'POST', path: '/upload', body: 'x'.repeat(16) });
    assert.equal(fits.status, 200);
    assert.equal(first.last().body, 'x'.repeat(16));
  });

  it('refuses a chunked body that grows past the route limit with 413; the upstream never gets it whole', async () => {
    const before = first.requests.length;
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(gw.url);
      const request = httpRequest({ host: hostname, port, method: 'POST', path: '/upload' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write('x'.repeat(10));
      setTimeout(() => request.end('y'.repeat(10)), 20);
    });
    assert.equal(status, 413);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(first.requests.slice(before).every((seen) => seen.body.length <= 16));
  });

  it('answers 431 with the JSON body when the request head exceeds maxHeaderSize', async () => {
    const answer = await get('/public', { 'x-big': 'a'.repeat(4096) });
    assert.equal(answer.status, 431);
    assert.equal(JSON.parse(answer.body).error.code, 'headersTooLarge');
  });
});

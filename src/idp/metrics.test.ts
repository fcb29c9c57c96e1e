/**
 * @module idp/metrics.test
 * The IdP's counters: the counting token service counts issuances and introspection outcomes (errors
 * included) and passes everything else through; request labels name endpoints, the console, or `other`.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { listen } from '../../test/support/loopback.ts';
import {
  countRequests,
  countTokenOperations,
  createIdpMetrics,
  IDP_METRIC_NAMES,
  requestEndpoint,
} from './metrics.ts';
import { RFC9068_REALM, STATIC_CALLER, setup } from './tokens/test-support/fixtures.ts';

async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  const entry = metric.values.find((value) =>
    Object.entries(labels).every(([key, v]) => value.labels[key] === v),
  );
  return entry?.value ?? 0;
}

it('counts issuances and introspection outcomes, and passes other calls through', async () => {
  const f = await setup();
  const client = await f.client({ tokenFormat: 'opaque' });
  const registry = new Registry();
  const counting = countTokenOperations(f.service, createIdpMetrics(registry));
  const issued = await counting.issue({
    realm: RFC9068_REALM,
    client,
    subject: client.clientId,
    scope: [],
    withRefreshToken: true,
  });
  await counting.refresh(RFC9068_REALM, client, issued.refresh_token!);
  const introspect = (token: string) =>
    counting.introspect({ realm: RFC9068_REALM, token, caller: STATIC_CALLER });
  assert.equal((await introspect(issued.access_token)).active, true);
  assert.equal((await introspect('unknown')).active, false);
  assert.ok(await counting.find(RFC9068_REALM, issued.access_token), 'find passes through');

  assert.equal(await counterValue(registry, IDP_METRIC_NAMES.tokensIssued, { kind: 'grant' }), 1);
  assert.equal(await counterValue(registry, IDP_METRIC_NAMES.tokensIssued, { kind: 'refresh' }), 1);
  assert.equal(await counterValue(registry, IDP_METRIC_NAMES.introspections, { outcome: 'active' }), 1);
  assert.equal(await counterValue(registry, IDP_METRIC_NAMES.introspections, { outcome: 'inactive' }), 1);
});

it('counts an introspection that throws as an error', async () => {
  const registry = new Registry();
  const service = {
    introspect: async () => {
      throw new Error('store down');
    },
  } as unknown as Parameters<typeof countTokenOperations>[0];
  const counting = countTokenOperations(service, createIdpMetrics(registry));
  await assert.rejects(counting.introspect({ realm: RFC9068_REALM, token: 'x', caller: STATIC_CALLER }));
  assert.equal(await counterValue(registry, IDP_METRIC_NAMES.introspections, { outcome: 'error' }), 1);
});

it('labels requests by endpoint', () => {
  const profiles = ['standard', 'keycloak', 'authkit'] as const;
  assert.equal(requestEndpoint('/oauth2/token', profiles), 'token');
  assert.equal(requestEndpoint('/t/foo.com/oauth2/introspect', profiles), 'introspect');
  assert.equal(requestEndpoint('/idp/introspect_token', profiles), 'introspect');
  assert.equal(requestEndpoint('/t/foo.com/console/applications', profiles), 'console');
  assert.equal(requestEndpoint('/oauth2/authorize', profiles), 'authorize');
  assert.equal(requestEndpoint('/wp-login.php', profiles), 'other');
});

it('counts finished requests by endpoint and status, and each scrape sees every count once', async (t) => {
  const registry = new Registry();
  const profiles = ['standard'] as const;
  const listener = countRequests(
    createIdpMetrics(registry),
    (path) => requestEndpoint(path, profiles),
    (request, response) => {
      response.statusCode = request.url?.startsWith('/oauth2/token') ? 200 : 404;
      response.end();
    },
  );
  const server = createServer(listener);
  t.after(() => server.close());
  const url = await listen(server);
  for (const path of ['/oauth2/token', '/oauth2/token?x=1', '/wp-login.php']) {
    await (await fetch(`${url}${path}`, { method: 'POST' })).arrayBuffer();
  }
  const value = (labels: Record<string, string>) => counterValue(registry, IDP_METRIC_NAMES.requests, labels);
  assert.equal(await value({ endpoint: 'token', status: '200' }), 2);
  assert.equal(await value({ endpoint: 'other', status: '404' }), 1);
  await (await fetch(`${url}/oauth2/token`, { method: 'POST' })).arrayBuffer();
  assert.equal(
    await value({ endpoint: 'token', status: '200' }),
    3,
    'a second collection adds only new counts',
  );
  assert.match(await registry.metrics(), /tokenguard_idp_requests_total\{endpoint="token",status="200"\} 3/);
});

/**
 * @module test/gateway/claims-forwarding.test
 * Claims the seed IdP never issues (nested objects, arrays, CR/LF, non-ASCII text), from the stub IdP's
 * opaque tokens, forwarded as headers: nested paths, arrays joined with `,`, objects as JSON, missing
 * claims not sent, values with control characters dropped and logged (route and header named, no value),
 * UTF-8 text sent as its bytes; Kong-style `claimValues` (items OR, words AND) and claim rules on
 * nested claims.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StubIdp, startStubIdp } from '../support/stub-idp.ts';
import {
  bearer,
  call,
  type RecordingUpstream,
  startGateway,
  startUpstream,
  type TestGateway,
} from './support/harness.ts';

describe('claims forwarded as headers (stub IdP, opaque tokens)', () => {
  let idp: StubIdp;
  let upstream: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    idp = await startStubIdp();
    idp.opaque.set('alice-token', {
      sub: 'alice',
      ext: { tenant: 'acme', region: { name: 'eu' } },
      groups: ['staff', 'ops'],
      flags: { beta: true },
      level: 3,
      name: 'José Ñúñez',
      evil: 'alice\r\nX-Admin: yes',
      tab: 'a\tb',
    });
    idp.opaque.set('bob-token', { sub: 'bob', groups: ['staff'], ext: { tenant: 'globex' } });
    upstream = await startUpstream();
    gw = await startGateway({
      authenticators: {
        stub: {
          introspection: { endpoint: `${idp.url}/introspect`, clientAuth: { accessToken: 'gateway' } },
        },
      },
      routes: [
        {
          name: 'ops',
          match: { pathPrefix: '/ops' },
          upstream: { urls: [upstream.url] },
          auth: { claimValues: { groups: ['staff ops', 'root'] } },
        },
        {
          name: 'acme',
          match: { pathPrefix: '/acme' },
          upstream: { urls: [upstream.url] },
          auth: { claims: 'Equals("ext.tenant", "acme") && Contains("groups", "staff")' },
        },
        {
          name: 'headers',
          match: { pathPrefix: '/' },
          upstream: { urls: [upstream.url] },
          forward: {
            headers: {
              'X-User': 'sub',
              'X-Tenant': 'ext.tenant',
              'X-Region': 'ext.region.name',
              'X-Groups': 'groups',
              'X-Flags': 'flags',
              'X-Level': 'level',
              'X-Name': 'name',
              'X-Evil': 'evil',
              'X-Tab': 'tab',
              'X-Missing': 'ext.nothing',
            },
          },
        },
      ],
    });
  });

  after(async () => {
    await gw?.close();
    await upstream?.close();
    await idp?.close();
  });

  it('maps nested paths, joins arrays, writes objects as JSON, skips missing claims', async () => {
    assert.equal((await call(`${gw.url}/x`, { headers: bearer('alice-token') })).status, 200);
    const seen = upstream.last().headers;
    assert.equal(seen['x-user'], 'alice');
    assert.equal(seen['x-tenant'], 'acme');
    assert.equal(seen['x-region'], 'eu');
    assert.equal(seen['x-groups'], 'staff,ops');
    assert.equal(seen['x-flags'], '{"beta":true}');
    assert.equal(seen['x-level'], '3');
    assert.equal(seen['x-tab'], 'a\tb');
    assert.equal(seen['x-missing'], undefined);
    assert.equal(Buffer.from(String(seen['x-name']), 'latin1').toString('utf8'), 'José Ñúñez');
  });

  it('drops a claim value with CR/LF and logs the route and header, not the value', async () => {
    assert.equal(
      (await call(`${gw.url}/y`, { headers: { ...bearer('alice-token'), 'x-admin': 'no' } })).status,
      200,
    );
    const seen = upstream.last().headers;
    assert.equal(seen['x-evil'], undefined);
    assert.equal(seen['x-admin'], 'no', 'no header was injected');
    const warning = gw.logs.find((line) => line.msg === 'claim value with control characters not forwarded');
    assert.ok(warning, 'a warning was logged');
    assert.equal(warning.level, 'warn');
    assert.equal(warning.route, 'headers');
    assert.equal(warning.header, 'x-evil');
    assert.ok(!JSON.stringify(gw.logs).includes('X-Admin: yes'));
  });

  it('claimValues: a space-separated item needs every value, items are alternatives', async () => {
    assert.equal((await call(`${gw.url}/ops`, { headers: bearer('alice-token') })).status, 200);
    const bob = await call(`${gw.url}/ops`, { headers: bearer('bob-token') });
    assert.equal(bob.status, 403);
    assert.equal(
      bob.headers.get('www-authenticate'),
      'Bearer realm="tokenguard", error="insufficient_scope"',
    );
  });

  it('claim rules read nested claims', async () => {
    assert.equal((await call(`${gw.url}/acme`, { headers: bearer('alice-token') })).status, 200);
    assert.equal((await call(`${gw.url}/acme`, { headers: bearer('bob-token') })).status, 403);
  });
});

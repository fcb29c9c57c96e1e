/**
 * @module idp/console/pages.test
 * The console's sections over HTTP with a signed-in administrator: applications (edit, disable, delete
 * with and without the script's confirmation), users (create, reset password, roles, self-protection),
 * tenants (who may create and toggle what, switching), tokens (revoke all through the revocation service),
 * the playground's input checks, and the live figures as JSON.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RevocationEvent } from '../../events/types.ts';
import { silentLogger } from '../../observability/logger.ts';
import { RevocationEvents } from '../events/revocation-events.ts';
import { verifyPassword } from '../secrets.ts';
import { RFC9068_REALM } from '../tokens/test-support/fixtures.ts';
import { Browser, type Harness, PASSWORD, startConsole } from './test-support/harness.ts';

let harness: Harness;
/** What the IdP's revocation service announced (`idp/events`). */
const published: RevocationEvent[] = [];
before(async () => {
  harness = await startConsole({
    revocations: (store) =>
      new RevocationEvents({
        store,
        logger: silentLogger,
        publisher: { publish: async (event) => void published.push(event), close: async () => {} },
      }),
  });
});
after(() => harness.close());

async function admin(base = '/console', username = 'root'): Promise<Browser> {
  const browser = new Browser(harness.url);
  assert.equal((await browser.signIn(base, username)).status, 303);
  await browser.get(`${base}/applications`);
  return browser;
}

async function register(browser: Browser, clientId: string, extra: Record<string, string> = {}) {
  const page = await browser.post('/console/applications/new', {
    client_id: clientId,
    name: `App ${clientId}`,
    'grant:client_credentials': 'on',
    ...extra,
  });
  assert.equal(page.status, 200, page.text);
  return /<code id="client-secret"[^>]*>([^<]+)<\/code>/.exec(page.text)![1];
}

describe('applications section', () => {
  it('lists, searches, edits and disables an application', async () => {
    const browser = await admin();
    await register(browser, 'orders', { description: 'Order intake' });
    assert.match((await browser.get('/console/applications?q=intake')).text, /App orders/);
    assert.doesNotMatch((await browser.get('/console/applications?q=nothing-like-it')).text, /App orders/);
    const detail = await browser.get('/console/applications/orders');
    assert.equal(detail.status, 200);
    const saved = await browser.post('/console/applications/orders', {
      name: 'Orders',
      'grant:client_credentials': 'on',
      token_format: 'opaque',
    });
    assert.equal(saved.status, 303);
    assert.match((await browser.get(saved.location!)).text, /Changes saved\./);
    assert.equal((await harness.store.clients.get('default', 'orders'))?.tokenFormat, 'opaque');
    const invalid = await browser.post('/console/applications/orders', {
      name: '',
      'grant:client_credentials': 'on',
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.text, /aria-invalid="true"/);
    await browser.post('/console/applications/orders/state', { disabled: '1' });
    assert.equal((await harness.store.clients.get('default', 'orders'))?.disabled, true);
  });

  it('deletes only once confirmed: a confirmation page without the script, at once with it', async () => {
    const browser = await admin();
    await register(browser, 'doomed');
    await browser.get('/console/applications/doomed');
    const ask = await browser.post('/console/applications/doomed/delete');
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Delete App doomed\?/);
    assert.ok(await harness.store.clients.get('default', 'doomed'), 'not deleted yet');
    const done = await browser.post('/console/applications/doomed/delete', { confirmed: '1' });
    assert.equal(done.status, 303);
    assert.equal(await harness.store.clients.get('default', 'doomed'), undefined);
  });
});

describe('users section', () => {
  it('creates a user with a password, assigns roles, resets the password', async () => {
    const browser = await admin();
    await browser.get('/console/users/new');
    const weak = await browser.post('/console/users/new', { username: 'carol', password: 'short' });
    assert.equal(weak.status, 400);
    const created = await browser.post('/console/users/new', {
      username: 'carol',
      password: 'carol-password',
      policies: 'billing viewer',
      can_introspect: 'on',
    });
    assert.equal(created.status, 303);
    let carol = (await harness.store.users.get('default', 'carol'))!;
    assert.deepEqual(carol.policies, [{ rn: 'billing', role: 'viewer' }]);
    assert.equal(await verifyPassword('carol-password', carol.passwordHash), true);
    await browser.get('/console/users/carol');
    await browser.post('/console/users/carol', { policies: 'billing admin', admin: 'on' });
    carol = (await harness.store.users.get('default', 'carol'))!;
    assert.deepEqual(
      [carol.admin, carol.canIntrospect, carol.policies],
      [true, false, [{ rn: 'billing', role: 'admin' }]],
    );
    await browser.post('/console/users/carol/password', { password: 'new-carol-password' });
    carol = (await harness.store.users.get('default', 'carol'))!;
    assert.equal(await verifyPassword('new-carol-password', carol.passwordHash), true);
    const carolsBrowser = new Browser(harness.url);
    assert.equal((await carolsBrowser.signIn('/console', 'carol', 'new-carol-password')).status, 303);
  });

  it('does not let administrators remove their own rights or disable themselves', async () => {
    const browser = await admin();
    await browser.get('/console/users/root');
    const page = await browser.post('/console/users/root', { disabled: 'on', admin: 'on' });
    assert.equal(page.status, 400);
    const root = (await harness.store.users.get('default', 'root'))!;
    assert.deepEqual([root.admin, root.disabled], [true, false]);
  });
});

describe('tenants section', () => {
  it('lets default-tenant administrators create a tenant whose first administrator can sign in there', async () => {
    const browser = await admin();
    await browser.get('/console/tenants');
    const created = await browser.post('/console/tenants/new', {
      id: 'globex',
      display_name: 'Globex',
      admin_username: 'hank',
      admin_password: PASSWORD,
    });
    assert.equal(created.status, 303, created.text);
    assert.match((await browser.get('/console/tenants')).text, /globex/);
    assert.equal((await new Browser(harness.url).signIn('/t/globex/console', 'hank')).status, 303);
    const taken = await browser.post('/console/tenants/new', {
      id: 'globex',
      admin_username: 'x',
      admin_password: PASSWORD,
    });
    assert.equal(taken.status, 400);
  });

  it('shows other tenants only to the default tenant and lets others toggle only their own flag', async () => {
    const boss = await admin('/t/acme/console', 'boss');
    const list = await boss.get('/t/acme/console/tenants');
    assert.doesNotMatch(list.text, /<code>default<\/code>/);
    assert.doesNotMatch(list.text, /Create a tenant<\/h2>/);
    assert.equal(
      (
        await boss.post('/t/acme/console/tenants/new', {
          id: 'evil',
          admin_username: 'x',
          admin_password: PASSWORD,
        })
      ).status,
      404,
    );
    assert.equal(
      (await boss.post('/t/acme/console/tenants/default/cross-tenant', { allow: '1' })).status,
      404,
    );
    assert.equal((await harness.store.tenants.get('default'))?.allowCrossTenantIntrospection, false);
    assert.equal((await boss.post('/t/acme/console/tenants/acme/cross-tenant', { allow: '1' })).status, 303);
    assert.equal((await harness.store.tenants.get('acme'))?.allowCrossTenantIntrospection, true);
    const root = await admin();
    assert.equal((await root.post('/console/tenants/acme/cross-tenant', { allow: '0' })).status, 303);
    assert.equal((await harness.store.tenants.get('acme'))?.allowCrossTenantIntrospection, false);
    const to = await root.get('/console/tenants/switch?tenant=acme');
    assert.deepEqual([to.status, to.location], [303, '/t/acme/console/']);
  });
});

describe('tokens, playground and live figures', () => {
  it('revokes one token and all tokens of a client through the revocation service (events)', async () => {
    const browser = await admin();
    await register(browser, 'batch');
    const client = (await harness.store.clients.get('default', 'batch'))!;
    for (let count = 0; count < 3; count++) {
      await harness.tokens.issue({
        realm: { ...RFC9068_REALM, issuer: harness.url },
        client,
        subject: 'batch',
        scope: [],
        withRefreshToken: false,
      });
    }
    const list = await browser.get('/console/tokens?client=batch');
    assert.equal(list.text.match(/<tr class="token">/g)?.length, 3);
    const [, id] = /name="id" value="([^"]+)"/.exec(list.text)!;
    const one = await browser.post('/console/tokens/revoke', { id, client: 'batch' });
    assert.equal(one.location, '/console/tokens?client=batch');
    assert.deepEqual(
      published.map((event) => [event.scope, event.jtis]),
      [['token', [id]]],
    );
    const done = await browser.post('/console/tokens/revoke-all', { target: 'client', client: 'batch' });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/console/tokens?client=batch');
    assert.match((await browser.get(done.location!)).text, /2 tokens revoked\./);
    assert.deepEqual(
      published.slice(1).map((event) => [event.scope, event.clientId, event.jtis.length]),
      [['client', 'batch', 2]],
    );
  });

  it('asks for a token in the playground and answers inactive for one the IdP does not know', async () => {
    const browser = await admin();
    await browser.get('/console/playground');
    assert.equal((await browser.post('/console/playground', { token: '' })).status, 400);
    const page = await browser.post('/console/playground', { token: 'not-a-token-of-ours' });
    assert.equal(page.status, 200);
    assert.match(page.text, /Result: inactive/);
    assert.match(page.text, /&quot;active&quot;: false/);
  });

  it('serves the live figures as JSON for the refresh script', async () => {
    const browser = await admin();
    harness.metrics.issued('grant');
    const page = await browser.get('/console/live/figures.json');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const figures = JSON.parse(page.text) as { tokensIssued: number };
    assert.equal(figures.tokensIssued, 1);
    assert.equal(
      (await new Browser(harness.url).get('/console/live/figures.json')).status,
      303,
      'signed in only',
    );
  });
});

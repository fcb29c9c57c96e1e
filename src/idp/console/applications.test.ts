/**
 * @module idp/console/applications.test
 * Registering and editing applications from form values: the config schema's rules apply, the generated
 * secret verifies against the stored hash only, editing keeps the credentials, rotation retires the old
 * secret, search matches id, name and description.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIdpConfig } from '../config/load.ts';
import { verifySecret } from '../secrets.ts';
import { MemoryStore } from '../store/memory-store.ts';
import {
  newClientId,
  readApplicationForm,
  registerApplication,
  rotateSecret,
  searchApplications,
  updateApplication,
} from './applications.ts';

const config = parseIdpConfig({ store: 'memory' });
const NOW = 1_700_000_000;

function form(fields: Record<string, string> = {}, grants = ['client_credentials']) {
  const values = new URLSearchParams({ name: 'Billing', ...fields });
  for (const grant of grants) values.append('grant_types', grant);
  return values;
}

function input(fields?: Record<string, string>, grants?: string[]) {
  const read = readApplicationForm(form(fields, grants));
  assert.ok(read.ok, JSON.stringify(read));
  return read.value;
}

describe('applications', () => {
  it('registers a client whose generated secret verifies against the stored hash only', async () => {
    const store = new MemoryStore();
    const result = await registerApplication(
      store,
      config,
      'default',
      'billing',
      input({ scopes: 'read write', access_token_ttl: '120', policies: 'billing admin\nbilling viewer' }),
      NOW,
    );
    assert.ok(result.ok);
    const client = (await store.clients.get('default', 'billing'))!;
    assert.equal(verifySecret(result.value.secret, client.secretHash), true);
    assert.equal(JSON.stringify(client).includes(result.value.secret), false);
    assert.deepEqual(client.authMethods, ['client_secret_basic', 'client_secret_post']);
    assert.equal(client.accessTokenTtl, 120);
    assert.equal(client.tokenFormat, config.tokens.format);
    assert.deepEqual(client.policies, [
      { rn: 'billing', role: 'admin' },
      { rn: 'billing', role: 'viewer' },
    ]);
  });

  it('reports problems beside their fields: name, policies, lifetime, callback URLs, scopes, taken ids', async () => {
    const store = new MemoryStore();
    const fieldOf = (fields: Record<string, string>, grants?: string[]) => {
      const read = readApplicationForm(form(fields, grants));
      return read.ok ? undefined : read.problems.map((problem) => problem.field);
    };
    assert.deepEqual(fieldOf({ name: '' }), ['name']);
    assert.deepEqual(fieldOf({ policies: 'only-a-namespace' }), ['policies']);
    assert.deepEqual(fieldOf({ access_token_ttl: '-5' }), ['access_token_ttl']);
    assert.deepEqual(fieldOf({}, ['authorization_code']), ['redirect_uris']);
    const badUri = await registerApplication(
      store,
      config,
      'default',
      'a',
      input({ redirect_uris: 'http://evil.example/cb' }),
      NOW,
    );
    assert.equal(badUri.ok ? undefined : badUri.problems[0].field, 'redirect_uris');
    const badScope = await registerApplication(store, config, 'default', 'a', input({ scopes: 'a"b' }), NOW);
    assert.equal(badScope.ok ? undefined : badScope.problems[0].field, 'scopes');
    assert.ok((await registerApplication(store, config, 'default', 'a', input(), NOW)).ok);
    for (const taken of ['a', 'new']) {
      const again = await registerApplication(store, config, 'default', taken, input(), NOW);
      assert.equal(again.ok ? undefined : again.problems[0].field, 'client_id', taken);
    }
  });

  it('edits fields, keeps the credentials, and replaces emptied lists', async () => {
    const store = new MemoryStore();
    const registered = await registerApplication(
      store,
      config,
      'default',
      'web',
      input({ redirect_uris: 'https://web.example/cb' }, ['authorization_code', 'refresh_token']),
      NOW,
    );
    assert.ok(registered.ok);
    const before = (await store.clients.get('default', 'web'))!;
    assert.deepEqual(before.redirectUris, ['https://web.example/cb']);
    const updated = await updateApplication(
      store,
      config,
      before,
      input({ name: 'Web app', token_format: 'opaque', can_introspect: 'on' }),
      NOW + 10,
    );
    assert.ok(updated.ok);
    const after = (await store.clients.get('default', 'web'))!;
    assert.equal(after.name, 'Web app');
    assert.equal(after.tokenFormat, 'opaque');
    assert.equal(after.canIntrospect, true);
    assert.deepEqual(after.grantTypes, ['client_credentials']);
    assert.deepEqual(after.redirectUris, []);
    assert.equal(after.secretHash, before.secretHash);
    assert.deepEqual(after.authMethods, before.authMethods);
    assert.equal(after.createdAt, NOW);
  });

  it('rotates the secret: the new one verifies, the old one no longer does', async () => {
    const store = new MemoryStore();
    const registered = await registerApplication(store, config, 'default', 'svc', input(), NOW);
    assert.ok(registered.ok);
    const secret = await rotateSecret(store, registered.value.client);
    const client = (await store.clients.get('default', 'svc'))!;
    assert.equal(verifySecret(secret, client.secretHash), true);
    assert.equal(verifySecret(registered.value.secret, client.secretHash), false);
  });

  it('searches id, name and description, case-insensitively, and makes WSO2-style client ids', async () => {
    const store = new MemoryStore();
    await registerApplication(
      store,
      config,
      'default',
      'alpha',
      input({ name: 'Zeta', description: 'Invoices' }),
      NOW,
    );
    await registerApplication(store, config, 'default', 'beta', input({ name: 'Ypsilon' }), NOW);
    await registerApplication(store, config, 'acme', 'gamma', input({ name: 'Zeta of acme' }), NOW);
    const ids = async (query: string) =>
      (await searchApplications(store, 'default', query)).map((client) => client.clientId);
    assert.deepEqual(await ids(''), ['beta', 'alpha'], 'by name');
    assert.deepEqual(await ids('INVOICE'), ['alpha']);
    assert.deepEqual(await ids('bet'), ['beta']);
    assert.deepEqual(await ids('acme'), []);
    assert.match(newClientId(), /^[\w-]{28}$/);
  });
});

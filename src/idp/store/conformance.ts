/**
 * @module idp/store/conformance
 * The behaviour every `IdpStore` must have, as node:test tests: `storeConformance('SqliteStore', open)`
 * registers them in a `describe` block. `open` returns a new, empty store; the suite migrates it, runs one
 * test on it and closes it. The order of `list` results is not part of the contract, so the tests sort.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  freshToken,
  NOW,
  sampleClient,
  sampleKey,
  sampleTenant,
  sampleToken,
  sampleUser,
  without,
} from './test-support/records.ts';
import type { IdpStore } from './types.ts';

interface TenantTable<T> {
  get(tenant: string, id: string): Promise<T | undefined>;
  list(tenant: string): Promise<T[]>;
  put(record: T): Promise<void>;
  delete(tenant: string, id: string): Promise<boolean>;
}

const sortedIds = (records: ReadonlyArray<{ id: string }>) => records.map((record) => record.id).sort();

export function storeConformance(name: string, open: () => Promise<IdpStore>): void {
  describe(`${name} (IdpStore conformance)`, () => {
    let store: IdpStore;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('records', () => {
      it('tenants: put, get, list, replace, delete', async () => {
        assert.equal(await store.tenants.get('acme'), undefined);
        await store.tenants.put(sampleTenant('acme'));
        await store.tenants.put(sampleTenant('globex', { allowCrossTenantIntrospection: true }));
        assert.deepEqual(await store.tenants.get('acme'), sampleTenant('acme'));
        assert.deepEqual(sortedIds(await store.tenants.list()), ['acme', 'globex']);

        await store.tenants.put(sampleTenant('acme', { displayName: 'renamed' }));
        assert.equal((await store.tenants.get('acme'))?.displayName, 'renamed');
        assert.equal((await store.tenants.list()).length, 2, 'a put of an existing id replaces it');

        assert.equal(await store.tenants.delete('acme'), true);
        assert.equal(await store.tenants.delete('acme'), false);
        assert.equal(await store.tenants.get('acme'), undefined);
        assert.deepEqual(sortedIds(await store.tenants.list()), ['globex']);
      });

      /** Clients and users have one contract; only the record and a field telling records apart differ. */
      function tenantScopedCrud<T extends { tenant: string }>(
        kind: string,
        table: (s: IdpStore) => TenantTable<T>,
        make: (tenant: string, id: string, label: string) => T,
        label: (record: T | undefined) => string | undefined,
      ): void {
        it(`${kind}: CRUD, and one id in two tenants is two records`, async () => {
          const records = table(store);
          await records.put(make('t1', 'same', 'one'));
          await records.put(make('t2', 'same', 'two'));
          await records.put(make('t1', 'other', 'three'));

          assert.equal(label(await records.get('t1', 'same')), 'one');
          assert.equal(label(await records.get('t2', 'same')), 'two');
          assert.equal(await records.get('t3', 'same'), undefined);
          assert.deepEqual((await records.list('t1')).map(label).sort(), ['one', 'three']);
          assert.deepEqual((await records.list('t2')).map(label), ['two']);

          await records.put(make('t1', 'same', 'replaced'));
          assert.equal(label(await records.get('t1', 'same')), 'replaced');
          assert.equal(label(await records.get('t2', 'same')), 'two');
          assert.equal((await records.list('t1')).length, 2, 'a put of an existing id replaces it');

          assert.equal(await records.delete('t1', 'same'), true);
          assert.equal(await records.delete('t1', 'same'), false);
          assert.equal(await records.get('t1', 'same'), undefined);
          assert.equal(label(await records.get('t2', 'same')), 'two', 'the other tenant keeps its record');
          assert.equal(await records.delete('t3', 'other'), false);
        });
      }

      tenantScopedCrud(
        'clients',
        (s) => s.clients,
        (tenant, id, name) => sampleClient(tenant, id, { name }),
        (client) => client?.name,
      );
      tenantScopedCrud(
        'users',
        (s) => s.users,
        (tenant, id, passwordHash) => sampleUser(tenant, id, { passwordHash }),
        (user) => user?.passwordHash,
      );

      it('keys: listed per tenant; a put of a known kid replaces it', async () => {
        assert.deepEqual(await store.keys.list('t1'), []);
        await store.keys.put(sampleKey('t1', 'k1'));
        await store.keys.put(sampleKey('t1', 'k2'));
        await store.keys.put(sampleKey('t2', 'k1'));
        assert.deepEqual((await store.keys.list('t1')).map((key) => key.kid).sort(), ['k1', 'k2']);
        assert.deepEqual(await store.keys.list('t2'), [sampleKey('t2', 'k1')]);

        await store.keys.put(sampleKey('t1', 'k1', { retiredAt: NOW + 1 }));
        const keys = await store.keys.list('t1');
        assert.equal(keys.length, 2);
        assert.equal(keys.find((key) => key.kid === 'k1')?.retiredAt, NOW + 1);
        assert.equal((await store.keys.list('t2'))[0].retiredAt, NOW + 86_400);
      });

      it('tokens: put, get, replace; one id in two tenants is two tokens', async () => {
        await store.tokens.put(freshToken('t1', 'tok'));
        await store.tokens.put(freshToken('t2', 'tok', { subject: 'bob' }));
        assert.equal((await store.tokens.get('t1', 'tok'))?.subject, 'alice');
        assert.equal((await store.tokens.get('t2', 'tok'))?.subject, 'bob');
        assert.equal(await store.tokens.get('t3', 'tok'), undefined);

        await store.tokens.put(freshToken('t1', 'tok', { scope: 'read' }));
        assert.equal((await store.tokens.get('t1', 'tok'))?.scope, 'read');
        assert.equal((await store.tokens.list('t1', {})).length, 1);
      });

      it('every field survives a round trip, optional fields present or absent', async () => {
        const tenant = sampleTenant('acme', { allowCrossTenantIntrospection: true });
        const clients = [
          sampleClient('acme', 'full'),
          without(sampleClient('acme', 'bare'), 'secretHash', 'jwks', 'tlsSubjectDn'),
        ];
        const users = [sampleUser('acme', 'alice'), sampleUser('acme', 'bob', { policies: [], admin: true })];
        const tokens = [
          sampleToken('acme', 'full'),
          freshToken('acme', 'bare', { kind: 'access', format: 'jwt' }),
        ];
        const keys = [
          sampleKey('acme', 'full'),
          without(sampleKey('acme', 'bare'), 'retiredAt', 'publishUntil'),
        ];

        await store.tenants.put(tenant);
        for (const client of clients) await store.clients.put(client);
        for (const user of users) await store.users.put(user);
        for (const token of tokens) await store.tokens.put(token);
        for (const key of keys) await store.keys.put(key);

        // deepEqual is strict: a field that comes back `undefined` instead of absent fails it.
        assert.deepEqual(await store.tenants.get('acme'), tenant);
        for (const client of clients)
          assert.deepEqual(await store.clients.get('acme', client.clientId), client);
        for (const user of users) assert.deepEqual(await store.users.get('acme', user.username), user);
        for (const token of tokens) assert.deepEqual(await store.tokens.get('acme', token.id), token);
        const storedKeys = await store.keys.list('acme');
        for (const key of keys)
          assert.deepEqual(
            storedKeys.find((stored) => stored.kid === key.kid),
            key,
          );

        const bare = await store.tokens.get('acme', 'bare');
        for (const field of ['parentId', 'revokedAt', 'consumedAt'])
          assert.ok(bare && !(field in bare), field);
        const bareClient = await store.clients.get('acme', 'bare');
        for (const field of ['secretHash', 'jwks', 'tlsSubjectDn']) {
          assert.ok(bareClient && !(field in bareClient), field);
        }
      });

      it('records go in and come out as copies', async () => {
        const client = sampleClient('acme', 'app');
        const token = freshToken('acme', 'tok');
        const key = sampleKey('acme', 'k1');
        const tenant = sampleTenant('acme');
        await store.clients.put(client);
        await store.tokens.put(token);
        await store.keys.put(key);
        await store.tenants.put(tenant);

        // Mutating what was put…
        client.policies[0].role = 'mutated-after-put';
        token.audience.push('mutated-after-put');
        key.publicJwk.kid = 'mutated-after-put';
        tenant.displayName = 'mutated-after-put';
        // …and what was read, down to nested arrays…
        const readClient = await store.clients.get('acme', 'app');
        readClient!.policies.push({ role: 'mutated-after-get' });
        readClient!.permissions[0].scopes!.push('mutated-after-get');
        const [listedToken] = await store.tokens.list('acme', {});
        listedToken.claims.jti = 'mutated-after-list';
        const [listedKey] = await store.keys.list('acme');
        listedKey.privateJwk.d = 'mutated-after-list';
        (await store.tenants.get('acme'))!.displayName = 'mutated-after-get';

        // …changes nothing stored.
        assert.deepEqual(await store.clients.get('acme', 'app'), sampleClient('acme', 'app'));
        assert.deepEqual(await store.tokens.get('acme', 'tok'), freshToken('acme', 'tok'));
        assert.deepEqual(await store.keys.list('acme'), [sampleKey('acme', 'k1')]);
        assert.deepEqual(await store.tenants.get('acme'), sampleTenant('acme'));

        const consumed = await store.tokens.consume('acme', 'tok', NOW);
        consumed!.token.consumedAt = undefined;
        assert.equal((await store.tokens.get('acme', 'tok'))?.consumedAt, NOW);
      });

      it('ids containing separators never reach another tenant', async () => {
        // A store keying rows by `tenant + separator + id` would make these two the same row.
        await store.users.put(sampleUser('a', 'b\nc', { passwordHash: 'first' }));
        await store.users.put(sampleUser('a\nb', 'c', { passwordHash: 'second' }));
        await store.tokens.put(freshToken('a:b', 'c'));
        assert.equal((await store.users.get('a', 'b\nc'))?.passwordHash, 'first');
        assert.equal((await store.users.get('a\nb', 'c'))?.passwordHash, 'second');
        assert.equal(await store.tokens.get('a', 'b:c'), undefined);
        assert.equal(await store.replay.remember('x', 'y\nz', NOW), true);
        assert.equal(await store.replay.remember('x\ny', 'z', NOW), true);
      });
    });

    describe('token revocation', () => {
      it('revoke is true once, then false; unknown ids and other tenants are untouched', async () => {
        await store.tokens.put(freshToken('t1', 'tok'));
        await store.tokens.put(freshToken('t2', 'tok'));
        assert.equal(await store.tokens.revoke('t1', 'tok', NOW + 1), true);
        assert.equal(await store.tokens.revoke('t1', 'tok', NOW + 2), false);
        assert.equal(await store.tokens.revoke('t1', 'unknown', NOW + 1), false);
        assert.equal(
          (await store.tokens.get('t1', 'tok'))?.revokedAt,
          NOW + 1,
          'the first revocation time stays',
        );
        assert.ok(!('revokedAt' in (await store.tokens.get('t2', 'tok'))!));
      });

      it('revokeFamily revokes and counts the unrevoked tokens of one family of one tenant', async () => {
        await store.tokens.put(freshToken('t1', 'a', { familyId: 'f' }));
        await store.tokens.put(freshToken('t1', 'b', { familyId: 'f', parentId: 'a' }));
        await store.tokens.put(freshToken('t1', 'c', { familyId: 'f', revokedAt: NOW }));
        await store.tokens.put(freshToken('t1', 'd', { familyId: 'g' }));
        await store.tokens.put(freshToken('t2', 'a', { familyId: 'f' }));

        assert.equal(await store.tokens.revokeFamily('t1', 'f', NOW + 5), 2);
        assert.equal(await store.tokens.revokeFamily('t1', 'f', NOW + 6), 0);
        assert.equal(await store.tokens.revokeFamily('t1', 'unknown', NOW + 6), 0);
        assert.equal((await store.tokens.get('t1', 'a'))?.revokedAt, NOW + 5);
        assert.equal((await store.tokens.get('t1', 'b'))?.revokedAt, NOW + 5);
        assert.equal((await store.tokens.get('t1', 'c'))?.revokedAt, NOW, 'an earlier revocation is kept');
        assert.equal((await store.tokens.get('t1', 'd'))?.revokedAt, undefined);
        assert.equal((await store.tokens.get('t2', 'a'))?.revokedAt, undefined);
      });

      it('revokeWhere revokes by client, by subject or by both, in one tenant, and counts', async () => {
        const put = (tenant: string, id: string, clientId: string, subject: string) =>
          store.tokens.put(freshToken(tenant, id, { clientId, subject }));
        await put('t1', 'app-alice', 'app', 'alice');
        await put('t1', 'app-bob', 'app', 'bob');
        await put('t1', 'cli-alice', 'cli', 'alice');
        await put('t1', 'cli-bob', 'cli', 'bob');
        await put('t1', 'web-carol', 'web', 'carol');
        await put('t2', 'app-alice', 'app', 'alice');

        assert.equal(await store.tokens.revokeWhere('t1', {}, NOW), 0, 'an empty query revokes nothing');
        assert.equal(await store.tokens.revokeWhere('t1', { clientId: 'app', subject: 'bob' }, NOW), 1);
        assert.equal(
          await store.tokens.revokeWhere('t1', { clientId: 'app' }, NOW),
          1,
          'app-bob was revoked',
        );
        assert.equal(
          await store.tokens.revokeWhere('t1', { subject: 'alice' }, NOW),
          1,
          'app-alice was revoked',
        );
        assert.equal(await store.tokens.revokeWhere('t1', { subject: 'nobody' }, NOW), 0);

        const active = await store.tokens.list('t1', { activeAt: NOW });
        assert.deepEqual(sortedIds(active), ['cli-bob', 'web-carol']);
        assert.equal((await store.tokens.list('t2', { activeAt: NOW })).length, 1, 'other tenant untouched');
      });
    });

    describe('refresh token consumption', () => {
      it('the first use wins, every later one is a replay and changes nothing', async () => {
        await store.tokens.put(freshToken('t1', 'rt'));
        const first = await store.tokens.consume('t1', 'rt', NOW + 1);
        assert.equal(first?.replayed, false);
        assert.equal(first?.token.consumedAt, NOW + 1);
        assert.deepEqual(first?.token, { ...freshToken('t1', 'rt'), consumedAt: NOW + 1 });
        assert.equal((await store.tokens.get('t1', 'rt'))?.consumedAt, NOW + 1);

        const second = await store.tokens.consume('t1', 'rt', NOW + 2);
        assert.equal(second?.replayed, true);
        assert.equal(second?.token.consumedAt, NOW + 1, 'the replay does not move the consumption time');
      });

      it('a revoked token is a replay and stays unconsumed', async () => {
        await store.tokens.put(freshToken('t1', 'rt', { revokedAt: NOW }));
        const result = await store.tokens.consume('t1', 'rt', NOW + 1);
        assert.equal(result?.replayed, true);
        assert.equal(result?.token.revokedAt, NOW);
        assert.ok(!('consumedAt' in (await store.tokens.get('t1', 'rt'))!));
      });

      it('an unknown token, or one of another tenant, is undefined', async () => {
        await store.tokens.put(freshToken('t1', 'rt'));
        assert.equal(await store.tokens.consume('t1', 'unknown', NOW), undefined);
        assert.equal(await store.tokens.consume('t2', 'rt', NOW), undefined);
        assert.ok(!('consumedAt' in (await store.tokens.get('t1', 'rt'))!));
      });

      it('of 20 concurrent consumes of one token exactly one wins', async () => {
        await store.tokens.put(freshToken('t1', 'rt'));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.tokens.consume('t1', 'rt', NOW + i)),
        );
        const winners = results.filter((result) => result?.replayed === false);
        assert.equal(winners.length, 1);
        assert.equal(results.filter((result) => result?.replayed === true).length, 19);
        assert.equal((await store.tokens.get('t1', 'rt'))?.consumedAt, winners[0]?.token.consumedAt);
      });
    });

    describe('token queries', () => {
      beforeEach(async () => {
        await store.tokens.put(freshToken('t1', 'app-alice', { clientId: 'app', subject: 'alice' }));
        await store.tokens.put(freshToken('t1', 'app-bob', { clientId: 'app', subject: 'bob' }));
        await store.tokens.put(freshToken('t1', 'cli-alice', { clientId: 'cli', subject: 'alice' }));
        await store.tokens.put(
          freshToken('t1', 'revoked', { clientId: 'app', subject: 'alice', revokedAt: NOW }),
        );
        await store.tokens.put(
          freshToken('t1', 'expired', { clientId: 'app', subject: 'alice', expiresAt: NOW }),
        );
        await store.tokens.put(freshToken('t2', 'app-alice', { clientId: 'app', subject: 'alice' }));
      });

      it('list filters by client, subject and activity, within one tenant', async () => {
        const list = async (query: Parameters<IdpStore['tokens']['list']>[1]) =>
          sortedIds(await store.tokens.list('t1', query));
        assert.deepEqual(await list({}), ['app-alice', 'app-bob', 'cli-alice', 'expired', 'revoked']);
        assert.deepEqual(await list({ clientId: 'app' }), ['app-alice', 'app-bob', 'expired', 'revoked']);
        assert.deepEqual(await list({ subject: 'alice' }), ['app-alice', 'cli-alice', 'expired', 'revoked']);
        assert.deepEqual(await list({ clientId: 'app', subject: 'alice' }), [
          'app-alice',
          'expired',
          'revoked',
        ]);
        // Active at NOW: not revoked, and expiring after NOW (one expiring exactly then has expired).
        assert.deepEqual(await list({ activeAt: NOW }), ['app-alice', 'app-bob', 'cli-alice']);
        assert.deepEqual(await list({ activeAt: NOW - 1, subject: 'alice' }), [
          'app-alice',
          'cli-alice',
          'expired',
        ]);
        assert.deepEqual(await list({ clientId: 'nobody' }), []);
        assert.deepEqual(sortedIds(await store.tokens.list('t3', {})), []);
      });

      it('list returns at most limit tokens, all matching', async () => {
        const two = await store.tokens.list('t1', { clientId: 'app', limit: 2 });
        assert.equal(two.length, 2);
        for (const token of two) assert.equal(token.clientId, 'app');
        assert.equal((await store.tokens.list('t1', { limit: 0 })).length, 0);
        assert.equal((await store.tokens.list('t1', { limit: 100 })).length, 5);
      });

      it('purgeExpired deletes and counts the tokens of every tenant expired before a time', async () => {
        await store.tokens.put(freshToken('t2', 'old', { expiresAt: NOW - 100 }));
        assert.equal(await store.tokens.purgeExpired(NOW - 100), 0, 'expiring exactly then is not before');
        assert.equal(await store.tokens.purgeExpired(NOW + 1), 2);
        assert.equal(await store.tokens.get('t1', 'expired'), undefined);
        assert.equal(await store.tokens.get('t2', 'old'), undefined);
        assert.equal((await store.tokens.list('t1', {})).length, 4, 'the revoked but unexpired one stays');
        assert.equal(await store.tokens.purgeExpired(NOW + 1), 0);
      });
    });

    describe('client assertion replay cache', () => {
      it('remember is true the first time and false after, per tenant', async () => {
        assert.equal(await store.replay.remember('t1', 'jti-1', NOW + 60), true);
        assert.equal(await store.replay.remember('t1', 'jti-1', NOW + 60), false);
        assert.equal(await store.replay.remember('t1', 'jti-1', NOW + 600), false);
        assert.equal(await store.replay.remember('t2', 'jti-1', NOW + 60), true, 'another tenant');
        assert.equal(await store.replay.remember('t1', 'jti-2', NOW + 60), true);
      });

      it('purge forgets the jtis expired before a time, which may then be remembered again', async () => {
        await store.replay.remember('t1', 'old', NOW - 10);
        await store.replay.remember('t2', 'old', NOW - 10);
        await store.replay.remember('t1', 'edge', NOW);
        await store.replay.remember('t1', 'new', NOW + 60);
        assert.equal(await store.replay.purge(NOW), 2);
        assert.equal(await store.replay.purge(NOW), 0);
        assert.equal(await store.replay.remember('t1', 'old', NOW + 60), true);
        assert.equal(await store.replay.remember('t1', 'edge', NOW + 60), false);
        assert.equal(await store.replay.remember('t1', 'new', NOW + 60), false);
      });
    });
  });
}

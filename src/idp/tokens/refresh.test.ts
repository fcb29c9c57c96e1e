/**
 * @module idp/tokens/refresh.test
 * The refresh_token grant: rotation within one family, narrowing (never widening) the scope, reuse
 * detection revoking the family (RFC 9700 §4.14.2), and every invalid_grant case.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { rejectsWith } from '../../../test/support/assertions.ts';
import type { Client } from '../model.ts';
import { tokenDigest } from '../secrets.ts';
import { type Fixture, RFC9068_REALM, START, STATIC_CALLER, setup } from './test-support/fixtures.ts';
import type { TokenResponse } from './types.ts';

describe('DefaultTokenService.refresh', () => {
  let f: Fixture;
  let client: Client;
  let first: TokenResponse;

  const introspect = (token: string) =>
    f.service.introspect({ realm: RFC9068_REALM, token, caller: STATIC_CALLER });

  beforeEach(async () => {
    f = await setup();
    client = await f.client({ tokenFormat: 'opaque' });
    first = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'app',
      scope: ['read', 'write'],
      withRefreshToken: true,
    });
  });

  it('rotates: a new access and refresh token in the same family, the old refresh token consumed', async () => {
    f.clock.now += 10;
    const second = await f.service.refresh(RFC9068_REALM, client, first.refresh_token!);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.scope, 'read write');
    assert.equal(second.expires_in, 3600);

    const old = await f.store.tokens.get('default', tokenDigest(first.refresh_token!));
    const rotated = await f.store.tokens.get('default', tokenDigest(second.refresh_token!));
    const access = await f.service.find(RFC9068_REALM, second.access_token);
    assert.equal(old?.consumedAt, START + 10);
    assert.equal(rotated?.parentId, old?.id);
    assert.equal(rotated?.familyId, old?.familyId);
    assert.equal(access?.parentId, old?.id);
    assert.equal(access?.familyId, old?.familyId);
    assert.equal(rotated?.expiresAt, START + 10 + 86_400);
    assert.equal((await introspect(second.access_token)).active, true);

    const third = await f.service.refresh(RFC9068_REALM, client, second.refresh_token!);
    assert.ok(third.refresh_token);
  });

  it('narrows the access token scope, while the new refresh token keeps the whole grant', async () => {
    const narrowed = await f.service.refresh(RFC9068_REALM, client, first.refresh_token!, ['read']);
    assert.equal(narrowed.scope, 'read');
    assert.equal((await introspect(narrowed.access_token)).scope, 'read');
    const full = await f.service.refresh(RFC9068_REALM, client, narrowed.refresh_token!);
    assert.equal(full.scope, 'read write');
  });

  it('refuses a wider scope with invalid_scope and leaves the refresh token usable', async () => {
    const error = await rejectsWith(
      f.service.refresh(RFC9068_REALM, client, first.refresh_token!, ['read', 'admin']),
      'invalid_scope',
      'oauth',
    );
    assert.match(error.detail!, /admin/);
    assert.ok((await f.service.refresh(RFC9068_REALM, client, first.refresh_token!)).access_token);
  });

  it('revokes the whole family when a refresh token is used twice', async () => {
    const second = await f.service.refresh(RFC9068_REALM, client, first.refresh_token!);
    assert.equal((await introspect(second.access_token)).active, true);

    await rejectsWith(
      f.service.refresh(RFC9068_REALM, client, first.refresh_token!),
      'invalid_grant',
      'oauth',
    );

    assert.deepEqual(await introspect(second.access_token), { active: false });
    assert.deepEqual(await introspect(first.access_token), { active: false });
    await rejectsWith(
      f.service.refresh(RFC9068_REALM, client, second.refresh_token!),
      'invalid_grant',
      'oauth',
    );
  });

  it('leaves no live token when two refreshes race with one token', async () => {
    const results = await Promise.allSettled([
      f.service.refresh(RFC9068_REALM, client, first.refresh_token!),
      f.service.refresh(RFC9068_REALM, client, first.refresh_token!),
    ]);
    assert.ok(
      results.some((result) => result.status === 'rejected'),
      'the replay fails',
    );
    for (const result of results) {
      if (result.status === 'fulfilled')
        assert.deepEqual(await introspect(result.value.access_token), { active: false });
    }
    const family = await f.store.tokens.list('default', {});
    assert.ok(family.length >= 3);
    assert.ok(family.every((token) => token.revokedAt !== undefined));
  });

  it('answers invalid_grant for an unknown, expired, revoked or access token', async () => {
    const cases: [string, () => Promise<string>][] = [
      ['unknown', async () => 'no-such-token'],
      ['empty', async () => ''],
      ['access token', async () => first.access_token],
      [
        'expired',
        async () => {
          f.clock.now = START + 86_400;
          return first.refresh_token!;
        },
      ],
      [
        'revoked',
        async () => {
          await f.service.revoke(RFC9068_REALM, first.refresh_token!, undefined, STATIC_CALLER);
          return first.refresh_token!;
        },
      ],
    ];
    for (const [name, token] of cases) {
      f = await setup();
      client = await f.client({ tokenFormat: 'opaque' });
      first = await f.service.issue({
        realm: RFC9068_REALM,
        client,
        subject: 'app',
        scope: ['read'],
        withRefreshToken: true,
      });
      const value = await token();
      await rejectsWith(f.service.refresh(RFC9068_REALM, client, value), 'invalid_grant', 'oauth').catch(
        (error: Error) => assert.fail(`${name}: ${error.message}`),
      );
    }
  });

  it("refuses another client's refresh token without consuming it", async () => {
    const other = await f.client({ clientId: 'other' });
    await rejectsWith(
      f.service.refresh(RFC9068_REALM, other, first.refresh_token!),
      'invalid_grant',
      'oauth',
    );
    const record = await f.store.tokens.get('default', tokenDigest(first.refresh_token!));
    assert.equal(record?.consumedAt, undefined);
    assert.ok((await f.service.refresh(RFC9068_REALM, client, first.refresh_token!)).access_token);
  });

  it('refuses a refresh token of another issuer (profile) of the same tenant', async () => {
    const realm = { ...RFC9068_REALM, issuer: 'https://idp.example/other' };
    await rejectsWith(f.service.refresh(realm, client, first.refresh_token!), 'invalid_grant', 'oauth');
  });

  it('answers unauthorized_client when the client may no longer use the refresh_token grant', async () => {
    const restricted = { ...client, grantTypes: ['client_credentials' as const] };
    await rejectsWith(
      f.service.refresh(RFC9068_REALM, restricted, first.refresh_token!),
      'unauthorized_client',
      'oauth',
    );
  });

  it("refuses a user token's refresh once the user is disabled", async () => {
    const user = await f.user({ username: 'alice' });
    const issued = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'alice',
      user,
      scope: [],
      withRefreshToken: true,
    });
    await f.store.users.put({ ...user, disabled: true });
    await rejectsWith(
      f.service.refresh(RFC9068_REALM, client, issued.refresh_token!),
      'invalid_grant',
      'oauth',
    );
  });

  it("keeps the user subject, username and the user's policies across a refresh", async () => {
    const user = await f.user({ username: 'alice', policies: [{ rn: 'svc', role: 'reader' }] });
    const issued = await f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: 'alice',
      user,
      scope: ['read'],
      withRefreshToken: true,
    });
    const refreshed = await f.service.refresh(RFC9068_REALM, client, issued.refresh_token!);
    const answer = await introspect(refreshed.access_token);
    assert.equal(answer.sub, 'alice');
    assert.equal(answer.username, 'alice');
    assert.deepEqual(answer.scope, [{ rn: 'svc', role: 'reader' }]);
    assert.equal(answer.scp, 'read');
  });
});

/**
 * @module idp/tokens/revocation.test
 * RFC 7009 revocation: only the owner (or the deployment's own credentials) revokes, anyone else and unknown
 * tokens get a silent success; a refresh token takes its family down; a JWT is revoked by its jti.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Client } from '../model.ts';
import {
  clientCaller,
  type Fixture,
  RFC9068_REALM,
  START,
  STATIC_CALLER,
  setup,
  staticCaller,
} from './test-support/fixtures.ts';
import type { Caller } from './types.ts';

describe('DefaultTokenService.revoke', () => {
  let f: Fixture;
  let app: Client;

  const issue = async (client: Client, withRefreshToken = false) =>
    f.service.issue({
      realm: RFC9068_REALM,
      client,
      subject: client.clientId,
      scope: ['read'],
      withRefreshToken,
    });
  const active = async (token: string) =>
    (await f.service.introspect({ realm: RFC9068_REALM, token, caller: STATIC_CALLER })).active;
  const revoke = (token: string, caller: Caller, hint?: string) =>
    f.service.revoke(RFC9068_REALM, token, hint, caller);

  beforeEach(async () => {
    f = await setup();
    app = await f.client({ tokenFormat: 'opaque' });
  });

  it("revokes the owner client's access token, and only that token", async () => {
    const one = await issue(app);
    const two = await issue(app);
    f.clock.now += 5;
    await revoke(one.access_token, clientCaller(app));
    assert.equal(await active(one.access_token), false);
    assert.equal(await active(two.access_token), true);
    assert.equal((await f.service.find(RFC9068_REALM, one.access_token))?.revokedAt, START + 5);
  });

  it('silently ignores other callers: another client, one with canIntrospect, a bearer, a non-admin user', async () => {
    const { access_token } = await issue(app);
    const other = await f.client({ clientId: 'other', canIntrospect: true });
    const record = (await f.service.find(RFC9068_REALM, (await issue(other)).access_token))!;
    const callers: Caller[] = [
      clientCaller(other),
      { kind: 'bearer', token: record, client: other },
      { kind: 'user', user: await f.user({ canIntrospect: true }) },
      staticCaller('elsewhere'),
    ];
    for (const caller of callers) {
      assert.equal(await revoke(access_token, caller), undefined, caller.kind);
      assert.equal(await active(access_token), true, caller.kind);
    }
  });

  it('lets the static token and an admin user of the tenant revoke', async () => {
    const one = await issue(app);
    await revoke(one.access_token, STATIC_CALLER);
    assert.equal(await active(one.access_token), false);
    const two = await issue(app);
    await revoke(two.access_token, { kind: 'user', user: await f.user({ admin: true }) });
    assert.equal(await active(two.access_token), false);
  });

  it('succeeds silently for unknown tokens and garbage', async () => {
    for (const token of ['', 'unknown', 'a.b.c', `${'x'.repeat(43)}`]) {
      assert.equal(await revoke(token, clientCaller(app)), undefined);
    }
    assert.deepEqual(
      (await f.store.tokens.list('default', {})).filter((token) => token.revokedAt !== undefined),
      [],
    );
  });

  it("revokes a refresh token's whole family: its access tokens and rotated successors", async () => {
    const first = await issue(app, true);
    const second = await f.service.refresh(RFC9068_REALM, app, first.refresh_token!);
    const unrelated = await issue(app, true);
    await revoke(second.refresh_token!, clientCaller(app), 'refresh_token');
    assert.equal(await active(first.access_token), false);
    assert.equal(await active(second.access_token), false);
    assert.equal(await active(second.refresh_token!), false);
    assert.equal(await active(unrelated.access_token), true);
    assert.equal(await active(unrelated.refresh_token!), true);
  });

  it('keeps the refresh token when an access token is revoked', async () => {
    const grant = await issue(app, true);
    await revoke(grant.access_token, clientCaller(app));
    assert.equal(await active(grant.refresh_token!), true);
  });

  it('revokes a JWT by its jti, whatever the hint, and introspection then answers inactive', async () => {
    const jwtClient = await f.client({ clientId: 'jwt-app', tokenFormat: 'jwt' });
    const { access_token } = await issue(jwtClient);
    assert.equal(await active(access_token), true);
    await revoke(access_token, clientCaller(jwtClient), 'refresh_token');
    assert.equal(await active(access_token), false);
    const { jti } = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString());
    assert.equal((await f.store.tokens.get('default', jti))?.revokedAt, START);
  });
});

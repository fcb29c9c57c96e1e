/**
 * @module idp/tokens/token-lookup.test
 * `find`: JWTs by signature and jti, opaque tokens by digest, never a throw on garbage, key rotation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Client } from '../model.ts';
import { type Fixture, jwsSegments, RFC9068_REALM, START, setup } from './test-support/fixtures.ts';

describe('DefaultTokenService.find', () => {
  let f: Fixture;
  let app: Client;
  const issue = async (client = app) =>
    (
      await f.service.issue({
        realm: RFC9068_REALM,
        client,
        subject: client.clientId,
        scope: [],
        withRefreshToken: false,
      })
    ).access_token;

  beforeEach(async () => {
    f = await setup();
    app = await f.client();
  });

  it('finds a JWT by its verified jti and an opaque token by its digest', async () => {
    const jwt = await issue();
    const record = await f.service.find(RFC9068_REALM, jwt);
    assert.equal(record?.id, JSON.parse(jwsSegments(jwt).payload).jti);
    const opaque = await issue(await f.client({ clientId: 'opaque', tokenFormat: 'opaque' }));
    assert.equal((await f.service.find(RFC9068_REALM, opaque))?.clientId, 'opaque');
  });

  it('returns records whatever their time: expiry is for the caller to judge', async () => {
    const jwt = await issue();
    f.clock.now = START + 10 * 3600;
    assert.ok(await f.service.find(RFC9068_REALM, jwt));
  });

  it('never throws on garbage, and finds nothing', async () => {
    const jwt = await issue();
    const [header, payload] = jwt.split('.');
    const inputs = [
      '',
      ' ',
      '.',
      '..',
      'a.b.c',
      'a.b.c.d.e',
      `${header}.`,
      `${header}.${payload}`,
      `${header}.${payload}.`,
      `${header}.${payload}.${'A'.repeat(342)}`,
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      `${Buffer.from('"string"').toString('base64url')}.${payload}.x`,
      `${header}.${Buffer.from('[1,2]').toString('base64url')}.x`,
      '\u0000\uffff',
    ];
    for (let i = 0; i < 50; i++) inputs.push(randomBytes(i * 7).toString('base64url'));
    for (let i = 1; i < jwt.length; i += 37) inputs.push(jwt.slice(0, i));
    for (const input of inputs) {
      assert.equal(await f.service.find(RFC9068_REALM, input), undefined, JSON.stringify(input.slice(0, 40)));
    }
  });

  it('ignores a JWT signed by a key that is not ours, even under our kid', async () => {
    const { kid } = await f.keys.activeKey('default');
    const jti = JSON.parse(jwsSegments(await issue()).payload).jti;
    const { privateKey } = await (await import('jose')).generateKeyPair('RS256');
    const forged = await new SignJWT({ iss: RFC9068_REALM.issuer, jti })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .sign(privateKey);
    assert.equal(await f.service.find(RFC9068_REALM, forged), undefined);
  });

  it('ignores a JWT of another tenant', async () => {
    const jwt = await issue();
    assert.equal(await f.service.find({ ...RFC9068_REALM, tenant: 'acme' }, jwt), undefined);
  });

  it('still finds tokens signed before a rotation, until the old key stops being published', async () => {
    const before = await issue();
    f.clock.now += 60;
    await f.keys.rotate('default');
    const after = await issue();
    assert.notEqual(JSON.parse(jwsSegments(before).header).kid, JSON.parse(jwsSegments(after).header).kid);
    assert.ok(await f.service.find(RFC9068_REALM, before));
    assert.ok(await f.service.find(RFC9068_REALM, after));
    // The fixture's maxTokenLifetime is 3600 s: by then every token the old key signed has expired.
    f.clock.now += 3600;
    assert.equal(await f.service.find(RFC9068_REALM, before), undefined);
    assert.ok(await f.service.find(RFC9068_REALM, after));
  });
});

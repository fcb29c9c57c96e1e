/**
 * @module idp/console/playground.test
 * The playground's inspection on a real token service: every step of a good JWT passes and the answer is
 * the endpoint's; a forged signature, a foreign issuer, expiry, revocation and a disabled client each fail
 * their own step; opaque tokens skip the JWT-only steps; garbage is unrecognized.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RFC9068_REALM, setup } from '../tokens/test-support/fixtures.ts';
import { inspectToken } from './playground.ts';

const ISSUERS = [RFC9068_REALM.issuer];

async function fixture(format: 'jwt' | 'opaque' = 'jwt') {
  const f = await setup();
  const client = await f.client({ tokenFormat: format });
  const { access_token: token } = await f.service.issue({
    realm: RFC9068_REALM,
    client,
    subject: client.clientId,
    scope: ['read'],
    withRefreshToken: false,
  });
  const inspect = (value = token, issuers = ISSUERS) =>
    inspectToken(
      { store: f.store, keys: f.keys, tokens: f.service, now: f.clock.now },
      RFC9068_REALM,
      issuers,
      value,
    );
  return { ...f, client, token, inspect };
}

const statuses = (steps: { name: string; status: string }[]) =>
  Object.fromEntries(steps.map((step) => [step.name, step.status]));

describe('inspectToken', () => {
  it('passes every step of a valid JWT, decodes it and gives the endpoint answer', async () => {
    const f = await fixture();
    const inspection = await f.inspect();
    assert.equal(inspection.format, 'jwt');
    assert.deepEqual(new Set(inspection.steps.map((step) => step.status)), new Set(['pass']));
    assert.equal(inspection.steps.length, 6);
    assert.equal(inspection.header?.typ, 'at+jwt');
    assert.equal(inspection.claims?.client_id, f.client.clientId);
    assert.equal(inspection.answer.active, true);
    assert.equal(inspection.answer.client_id, f.client.clientId);
  });

  it('fails the signature of a forged JWT, yet still shows its claims', async () => {
    const f = await fixture();
    const [header, payload] = f.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
    const inspection = await f.inspect(forged);
    const result = statuses(inspection.steps);
    assert.equal(result.Signature, 'fail');
    assert.equal(result['Revocation state'], 'fail', 'no record of a token we did not sign');
    assert.equal(inspection.claims?.client_id, f.client.clientId);
    assert.deepEqual(inspection.answer, { active: false });
  });

  it('fails the issuer step for an issuer of another tenant', async () => {
    const f = await fixture();
    const inspection = await f.inspect(f.token, ['https://other.example']);
    assert.equal(statuses(inspection.steps).Issuer, 'fail');
  });

  it('fails expiry, revocation and client state when they do', async () => {
    const expired = await fixture();
    expired.clock.now += 7200;
    assert.equal(statuses((await expired.inspect()).steps)['Expiry and not-before'], 'fail');

    const revoked = await fixture();
    await revoked.service.revoke(RFC9068_REALM, revoked.token, undefined, {
      kind: 'static',
      name: 'test',
      tenant: 'default',
    });
    const afterRevocation = await revoked.inspect();
    assert.equal(statuses(afterRevocation.steps)['Revocation state'], 'fail');
    assert.equal(afterRevocation.answer.active, false);

    const disabled = await fixture();
    await disabled.store.clients.put({ ...disabled.client, disabled: true });
    assert.equal(statuses((await disabled.inspect()).steps)['Client state'], 'fail');
  });

  it('skips the JWT-only steps of an opaque token and checks its record', async () => {
    const f = await fixture('opaque');
    const inspection = await f.inspect();
    assert.equal(inspection.format, 'opaque');
    assert.equal(inspection.header, undefined);
    const result = statuses(inspection.steps);
    assert.deepEqual(result, {
      Format: 'pass',
      Signature: 'skip',
      Issuer: 'pass',
      'Expiry and not-before': 'pass',
      'Revocation state': 'pass',
      'Client state': 'pass',
    });
    assert.equal(inspection.answer.active, true);
  });

  it('calls a string that is neither JWT nor opaque token unrecognized, and inactive', async () => {
    const f = await fixture();
    const inspection = await f.inspect('<script>alert(1)</script>');
    assert.equal(inspection.format, 'unrecognized');
    assert.equal(statuses(inspection.steps).Format, 'fail');
    assert.deepEqual(inspection.answer, { active: false });
  });
});

/**
 * @module jwt/key-sets.test
 * KeySets against a real IdP on loopback: JWKS URL from config or discovery, fetches through our
 * HttpClient, one key set per issuer, refresh on unknown kid with jose's cooldown, and IdP failures
 * surfacing as serviceUnavailable.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type CryptoKey, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { rejectsWith } from '../../test/support/assertions.ts';
import { closedPortUrl } from '../../test/support/loopback.ts';
import { DiscoveryClient } from '../discovery/discovery-client.ts';
import { type IdpOperation, noopMetrics } from '../observability/metrics.ts';
import { HttpClient } from '../util/http-client.ts';
import { KeySets, type KeySetsOptions } from './key-sets.ts';
import { DISCOVERY_PATH, JWKS_PATH, type SigningKey, TestIdp } from './test-support/test-idp.ts';

/** Resolves the key of an RS256 token header naming `kid`, as jwtVerify would. */
async function lookup(getKey: JWTVerifyGetKey, kid: string): Promise<CryptoKey> {
  return (await getKey({ alg: 'RS256', kid }, { payload: '', signature: '' })) as CryptoKey;
}

describe('KeySets', () => {
  let idp: TestIdp;
  let rsa: SigningKey;
  let http: HttpClient;
  let calls: { operation: IdpOperation; status: number }[];
  let clock: number;

  const keySets = (options: Partial<KeySetsOptions> = {}) =>
    new KeySets({
      discovery: new DiscoveryClient({ http, ttlMs: 60_000, now: () => clock }),
      http,
      cooldownMs: 60_000,
      cacheMaxAgeMs: 3_600_000,
      ...options,
    });

  before(async () => {
    idp = await TestIdp.start();
    rsa = await idp.addKey('RS256', 'rsa-1');
    http = new HttpClient({
      retries: 0,
      metrics: { ...noopMetrics, idpCall: (operation, status) => calls.push({ operation, status }) },
    });
  });
  after(async () => {
    await http.close();
    await idp.close();
  });
  beforeEach(() => {
    idp.server.requests.length = 0;
    idp.server.json(DISCOVERY_PATH, { issuer: idp.issuer, jwks_uri: `${idp.issuer}${JWKS_PATH}` });
    idp.publishKeys();
    calls = [];
    clock = 1_000_000;
  });

  it('finds the JWKS through discovery and resolves keys by kid and alg, fetching through HttpClient', async () => {
    const getKey = await keySets().get(idp.issuer);
    const key = await lookup(getKey, 'rsa-1');
    assert.equal(key.type, 'public');
    assert.deepEqual(calls, [
      { operation: 'discovery', status: 200 },
      { operation: 'jwks', status: 200 },
    ]);
  });

  it('uses the configured jwksUri and never calls discovery for that issuer', async () => {
    const sets = keySets({ jwksUri: { [`${idp.issuer}/`]: `${idp.issuer}${JWKS_PATH}` } });
    const getKey = await sets.get(idp.issuer);
    await lookup(getKey, 'rsa-1');
    assert.equal(idp.discoveryHits, 0);
    assert.equal(idp.jwksHits, 1);
  });

  it('lets a jwksUri passed to get() win over discovery', async () => {
    const getKey = await keySets().get(idp.issuer, `${idp.issuer}${JWKS_PATH}`);
    await lookup(getKey, 'rsa-1');
    assert.equal(idp.discoveryHits, 0);
  });

  it('creates the key set of an issuer once and reuses it (keys cached by jose)', async () => {
    const sets = keySets();
    const first = await sets.get(idp.issuer);
    const [second, third] = await Promise.all([sets.get(idp.issuer), sets.get(`${idp.issuer}/`)]);
    assert.equal(second, first);
    assert.equal(third, first);
    await lookup(first, 'rsa-1');
    await lookup(second, 'rsa-1');
    assert.equal(idp.jwksHits, 1);
  });

  it('re-fetches the JWKS for an unknown kid once the cooldown allows, and finds a rotated key', async () => {
    const getKey = await keySets({ cooldownMs: 0 }).get(idp.issuer);
    await lookup(getKey, 'rsa-1');
    await idp.addKey('RS256', 'rsa-rotated');
    try {
      const key = await lookup(getKey, 'rsa-rotated');
      assert.equal(key.type, 'public');
      assert.equal(idp.jwksHits, 2);
    } finally {
      idp.keys.delete('rsa-rotated');
    }
  });

  it('does not re-fetch the JWKS for unknown kids within the cooldown', async () => {
    const getKey = await keySets({ cooldownMs: 60_000 }).get(idp.issuer);
    await lookup(getKey, 'rsa-1');
    for (const kid of ['unknown-1', 'unknown-2', 'unknown-3']) {
      await assert.rejects(lookup(getKey, kid), {
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });
    }
    assert.equal(idp.jwksHits, 1);
  });

  it('builds a new key set when the discovered jwks_uri changes', async () => {
    const sets = keySets();
    const first = await sets.get(idp.issuer);
    idp.server.json(DISCOVERY_PATH, { issuer: idp.issuer, jwks_uri: `${idp.issuer}/other-jwks` });
    clock += 60_001;
    assert.notEqual(await sets.get(idp.issuer), first);
  });

  it('keeps serving the known key set while discovery fails after its TTL', async () => {
    const sets = keySets();
    const first = await sets.get(idp.issuer);
    idp.server.json(DISCOVERY_PATH, { error: 'down' }, 503);
    clock += 60_001;
    assert.equal(await sets.get(idp.issuer), first);
    assert.equal(idp.discoveryHits, 2, 'discovery was asked again');
  });

  it('fails with discovery_failed when the metadata has no jwks_uri', async () => {
    idp.server.json(DISCOVERY_PATH, { issuer: idp.issuer });
    await rejectsWith(keySets().get(idp.issuer), 'serviceUnavailable', 'discovery_failed');
  });

  it('maps a JWKS answer of 429 to idp_throttled with the Retry-After', async () => {
    idp.server.json(JWKS_PATH, { error: 'slow down' }, 429, { 'retry-after': '30' });
    const getKey = await keySets().get(idp.issuer);
    const error = await rejectsWith(lookup(getKey, 'rsa-1'), 'serviceUnavailable', 'idp_throttled');
    assert.equal(error.retryAfter, 30);
  });

  it('maps a JWKS answer of 503 to jwks_unavailable with the Retry-After', async () => {
    idp.server.json(JWKS_PATH, { error: 'down' }, 503, { 'retry-after': '12' });
    const getKey = await keySets().get(idp.issuer);
    const error = await rejectsWith(lookup(getKey, 'rsa-1'), 'serviceUnavailable', 'jwks_unavailable');
    assert.equal(error.retryAfter, 12);
  });

  for (const [what, body] of [
    ['not JSON', 'not json'],
    ['not a JWK Set', '{"keys":"nope"}'],
  ] as const) {
    it(`maps a JWKS answer that is ${what} to jwks_unavailable`, async () => {
      idp.server.json(JWKS_PATH, body);
      const getKey = await keySets().get(idp.issuer);
      await rejectsWith(lookup(getKey, 'rsa-1'), 'serviceUnavailable', 'jwks_unavailable');
    });
  }

  it('maps an unreachable JWKS endpoint (closed port) to jwks_unavailable', async () => {
    const down = await closedPortUrl();
    const getKey = await keySets().get(idp.issuer, `${down}${JWKS_PATH}`);
    const error = await rejectsWith(lookup(getKey, 'rsa-1'), 'serviceUnavailable', 'jwks_unavailable');
    assert.match(error.detail ?? '', /idp_unreachable/);
  });

  it('returns a resolver that jose jwtVerify uses to verify a token of the IdP', async () => {
    const getKey = await keySets().get(idp.issuer);
    const token = await idp.sign(rsa, { sub: 'alice' });
    const { payload } = await jwtVerify(token, getKey);
    assert.equal(payload.sub, 'alice');
  });
});

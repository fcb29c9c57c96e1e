/**
 * @module test/scale-out/docs.test
 * docs/SCALE-OUT.md cannot rot: its IdP and gateway configurations pass their schemas as written (the
 * end-to-end suite runs them with its own addresses), and its relative links point to files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { parseGatewayConfig } from '../../src/gateway/config/load.ts';
import { parseIdpConfig } from '../../src/idp/config/load.ts';
import { GUIDE, guideConfigs } from './support/doc-configs.ts';

it('shows an IdP replica, a Redis gateway and an SSE gateway that their schemas accept', () => {
  const { idp, redisGateway, sseGateway } = guideConfigs();
  const replica = parseIdpConfig(idp.idp);
  assert.match(replica.store, /^postgres:\/\//);
  assert.notEqual(replica.events.redis.url, '');
  for (const document of [redisGateway, sseGateway]) {
    const [auth] = Object.values(parseGatewayConfig(document.gateway).authenticators);
    assert.equal(auth.introspection.claimsCache.ttl, 5 * 60_000);
  }
  const [shared] = Object.values(parseGatewayConfig(redisGateway.gateway).authenticators);
  assert.equal(shared.sharedCache.redis.url, shared.revocationEvents.redis.url);
});

it('links to files that exist', () => {
  const text = readFileSync(GUIDE, 'utf8');
  for (const [, target] of text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
    assert.ok(existsSync(new URL(target, GUIDE)), target);
  }
});

/**
 * @module events/config.test
 * The subscriber's config section: defaults, durations in milliseconds, and start-up errors naming the
 * key a source needs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRevocationEventsConfig } from './config.ts';

describe('revocationEvents config', () => {
  it('defaults to no source, the IdP’s channel and a 500 ms to 30 s back-off', () => {
    const config = parseRevocationEventsConfig(undefined);
    assert.equal(config.source, 'none');
    assert.equal(config.redis.channel, 'tokenguard:revocations');
    assert.deepEqual(config.reconnect, { initialDelay: 500, maxDelay: 30_000 });
    assert.equal(config.sse.idleTimeout, 45_000);
  });

  it('names the key a source is missing, under the given prefix', () => {
    assert.throws(
      () => parseRevocationEventsConfig({ source: 'redis' }, 'gateway.revocationEvents'),
      /gateway\.revocationEvents\.redis\.url: required when source is redis/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ source: 'sse', sse: { token: 't' } }),
      /sse\.issuer: required/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ source: 'sse', sse: { issuer: 'http://idp', clientId: 'a' } }),
      /sse\.clientSecret: clientId and clientSecret go together/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ source: 'sse', sse: { issuer: 'http://idp' } }),
      /sse\.token: give either clientId and clientSecret, or token/,
    );
  });

  it('refuses bad URLs, unknown keys and bad durations', () => {
    assert.throws(
      () => parseRevocationEventsConfig({ redis: { url: 'http://x' } }),
      /redis\.url: must be a redis/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ sse: { url: 'ftp://x' } }),
      /sse\.url: must be an http/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ colour: 'red' }),
      /revocationEvents\.colour: unknown key/,
    );
    assert.throws(
      () => parseRevocationEventsConfig({ reconnect: { maxDelay: 'soon' } }),
      /reconnect\.maxDelay/,
    );
  });

  it('accepts a complete SSE source with client credentials', () => {
    const config = parseRevocationEventsConfig({
      source: 'sse',
      sse: { issuer: 'https://idp', clientId: 'gw', clientSecret: 's', idleTimeout: '1m' },
    });
    assert.equal(config.sse.idleTimeout, 60_000);
  });
});

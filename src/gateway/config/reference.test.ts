/**
 * @module gateway/config/reference.test
 * docs/GATEWAY-CONFIG.md is the schema's own rendering (a test fails when one changes without the other),
 * and every key has a description.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderGatewayConfigReference } from './reference.ts';

it('docs/GATEWAY-CONFIG.md matches the schema (run `npm run docs:config` after changing it)', () => {
  const committed = readFileSync(new URL('../../../docs/GATEWAY-CONFIG.md', import.meta.url), 'utf8');
  assert.equal(committed, renderGatewayConfigReference());
});

it('documents every key of the gateway section, its routes and their checks', () => {
  const rows = renderGatewayConfigReference()
    .split('\n')
    .filter((line) => line.startsWith('| `gateway.'));
  assert.ok(rows.length > 60, `expected the full key list, got ${rows.length} rows`);
  for (const row of rows) assert.doesNotMatch(row, /\|\s*\|$/, `a description is missing: ${row}`);
  for (const key of [
    'gateway.listen.port',
    'gateway.api.port',
    'gateway.limits.maxHeaderSize',
    'gateway.shutdownTimeout',
    'gateway.routes[].match.hosts',
    'gateway.routes[].upstream.urls',
    'gateway.routes[].forward.phantomToken.ttl',
    'gateway.routes[].auth.scopes',
    'gateway.routes[].auth.audiences.match',
  ]) {
    assert.ok(
      rows.some((row) => row.startsWith(`| \`${key}\``)),
      `${key} is documented`,
    );
  }
});

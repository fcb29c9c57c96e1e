import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderConfigReference } from './reference.ts';

it('docs/CONFIG.md matches the schema (run `npm run docs:config` after changing it)', () => {
  const committed = readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigReference());
});

it('documents every leaf key with a type and a default', () => {
  const rows = renderConfigReference()
    .split('\n')
    .filter((line) => line.startsWith('| `auth.'));
  assert.ok(rows.length > 50, `expected the full key list, got ${rows.length} rows`);
  for (const row of rows) assert.doesNotMatch(row, /\|\s*\|$/, `a description is missing: ${row}`);
  for (const key of [
    'auth.introspection.endpoint',
    'auth.introspection.grpc.tls.caCert',
    'auth.jwt.trustedIssuerUrls',
  ]) {
    assert.ok(
      rows.some((row) => row.startsWith(`| \`${key}\``)),
      `${key} is documented`,
    );
  }
});

/**
 * @module idp/config/reference.test
 * Every key of the IdP config is documented: a description in every row of the generated reference.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderIdpConfigReference } from './reference.ts';

it('documents every key of the idp section and of each declaration with a description', () => {
  const rows = renderIdpConfigReference()
    .split('\n')
    .filter((line) => line.startsWith('| `idp.'));
  assert.ok(rows.length > 60, `expected the full key list, got ${rows.length} rows`);
  for (const row of rows) assert.doesNotMatch(row, /\|\s*\|$/, `a description is missing: ${row}`);
  for (const key of [
    'idp.port',
    'idp.tokens.accessTokenTtl',
    'idp.introspection.errorStyle',
    'idp.introspection.rateLimit.perCaller',
    'idp.tls.requestClientCert',
    'idp.clients[].secret',
    'idp.clients[].introspectionPolicies',
    'idp.users[].canIntrospect',
    'idp.introspection.staticTokens[].token',
  ]) {
    assert.ok(
      rows.some((row) => row.startsWith(`| \`${key}\``)),
      `${key} is documented`,
    );
  }
});

it('docs/IDP-CONFIG.md matches the schema (run `npm run docs:config` after changing it)', async () => {
  const { readFileSync } = await import('node:fs');
  const committed = readFileSync(new URL('../../../docs/IDP-CONFIG.md', import.meta.url), 'utf8');
  assert.equal(committed, renderIdpConfigReference());
});

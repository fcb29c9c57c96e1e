/**
 * @module idp/config/reference
 * The reference of the IdP's configuration (the `idp` section), rendered from the schema itself with the
 * library's table renderer, so the two cannot drift. Lists of declarations (tenants, clients, users,
 * static tokens) get a table of their own, keyed `idp.clients[].secret` and so on.
 */
import { referenceRows } from '../../config/reference.ts';
import { clientSchema, idpConfigSchema, staticTokenSchema, tenantSchema, userSchema } from './schema.ts';

export function renderIdpConfigReference(): string {
  const table = ['| key | type | default | description |', '| --- | --- | --- | --- |'];
  const section = (title: string, rows: string[]) => [`## ${title}`, '', ...table, ...rows, ''];
  return [
    '# IdP configuration reference',
    '',
    '<!-- Generated from src/idp/config/schema.ts (renderIdpConfigReference). -->',
    '',
    'The `idp` section of the config file of `tokenguard idp` (YAML or JSON), also accepted by `createIdp(config)`.',
    'Durations are written `500ms`, `30s`, `1m`, `1h30m` (or milliseconds). Every key can be set from the',
    'environment: `TOKENGUARD_IDP_<PATH>` with the path upper-cased and joined by `_`, e.g.',
    '`TOKENGUARD_IDP_TOKENS_ACCESSTOKENTTL=15m` (lists: comma-separated or JSON). An invalid value stops',
    'start-up with an error naming the key.',
    '',
    ...section('Server, tokens and policies', referenceRows(idpConfigSchema, 'idp')),
    ...section('Tenants (`idp.tenants[]`)', referenceRows(tenantSchema, 'idp.tenants[]')),
    ...section('Clients (`idp.clients[]`)', referenceRows(clientSchema, 'idp.clients[]')),
    ...section('Users (`idp.users[]`)', referenceRows(userSchema, 'idp.users[]')),
    ...section(
      'Static introspection tokens (`idp.introspection.staticTokens[]`)',
      referenceRows(staticTokenSchema, 'idp.introspection.staticTokens[]'),
    ),
  ].join('\n');
}

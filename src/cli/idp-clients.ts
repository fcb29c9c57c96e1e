/**
 * @module cli/idp-clients
 * `tokenguard idp clients add|list|remove`: registering OAuth clients in the store.
 *
 * `add <id> [--secret s] [--scope a --scope b] [--format jwt|opaque] [--grant g] [--introspect]
 * [--redirect-uri u] [--public] [--first-party] [--tenant t]`: without `--secret` a 256-bit secret is
 * generated and printed once (only its hash is stored). `--public` registers a public client (browser or
 * native app: no secret, PKCE-bound authorization codes only); `--redirect-uri` (repeatable) registers the
 * exact redirect URIs of the authorization_code grant; `--first-party` skips the consent page. The declaration goes through the config schema, so a client added here is the same record a
 * config file would make.
 */

import { configRejection } from '../config/load.ts';
import { clientRecord } from '../idp/config/records.ts';
import { clientSchema } from '../idp/config/schema.ts';
import { randomToken } from '../idp/secrets.ts';
import { EXIT_FAILURE, usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import {
  CONFIG_OPTIONS,
  LIST_OPTIONS,
  loadConfig,
  onePositional,
  parse,
  REMOVE_OPTIONS,
  TENANT_OPTION,
  tenantOption,
  withAdminStore,
} from './options.ts';
import { ensureTenant } from './tenant-records.ts';

const ADD_OPTIONS = {
  ...CONFIG_OPTIONS,
  ...TENANT_OPTION,
  secret: { type: 'string' },
  scope: { type: 'string', multiple: true },
  format: { type: 'string' },
  grant: { type: 'string', multiple: true },
  introspect: { type: 'boolean' },
  'redirect-uri': { type: 'string', multiple: true },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' },
} as const;

async function add(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, ADD_OPTIONS);
  const id = onePositional(positionals, 'client id');
  const tenant = tenantOption(values.tenant);
  const isPublic = values.public ?? false;
  const generated = values.secret === undefined && !isPublic;
  const secret = isPublic ? values.secret : (values.secret ?? randomToken());
  const parsed = clientSchema.safeParse({
    id,
    tenant,
    secret,
    scopes: (values.scope ?? []).flatMap((scope) => scope.split(' ')).filter(Boolean),
    tokenFormat: values.format,
    grantTypes: values.grant,
    canIntrospect: values.introspect ?? false,
    public: isPublic,
    redirectUris: values['redirect-uri'],
    firstParty: values['first-party'] ?? false,
  });
  if (!parsed.success) {
    const rejection = configRejection(parsed.error.issues, 'client');
    throw usageError(rejection.detail ?? rejection.message);
  }
  const config = loadConfig(values, io);
  return withAdminStore(config, async (store) => {
    if (await store.clients.get(tenant, id)) {
      io.err(`error: client ${id} already exists in tenant ${tenant} (remove it first)`);
      return EXIT_FAILURE;
    }
    await ensureTenant(store, tenant, io);
    const now = Math.floor(Date.now() / 1000);
    await store.clients.put(clientRecord(parsed.data, config.tokens, undefined, now));
    io.out(`client ${id} created in tenant ${tenant}`);
    if (generated) io.out(`client_secret: ${secret}   (shown once: only its hash is stored)`);
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, LIST_OPTIONS);
  if (positionals.length) throw usageError('clients list takes no arguments');
  const tenant = tenantOption(values.tenant);
  const clients = await withAdminStore(loadConfig(values, io), (store) => store.clients.list(tenant));
  const rows = clients.map((client) => ({
    client_id: client.clientId,
    tenant: client.tenant,
    auth_methods: client.authMethods,
    grant_types: client.grantTypes,
    scopes: client.scopes,
    token_format: client.tokenFormat,
    can_introspect: client.canIntrospect,
    disabled: client.disabled,
  }));
  if (values.json) {
    io.out(JSON.stringify(rows));
  } else if (rows.length === 0) {
    io.out(`no clients in tenant ${tenant}`);
  } else {
    for (const row of rows) {
      const flags = [row.can_introspect ? 'introspect' : '', row.disabled ? 'disabled' : ''].filter(Boolean);
      io.out(
        `${row.client_id}\t${row.token_format}\tscopes=${row.scopes.join(' ') || '-'}\tgrants=${row.grant_types.join(',')}${flags.length ? `\t${flags.join(',')}` : ''}`,
      );
    }
  }
  return 0;
}

async function remove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, REMOVE_OPTIONS);
  const id = onePositional(positionals, 'client id');
  const tenant = tenantOption(values.tenant);
  const removed = await withAdminStore(loadConfig(values, io), (store) => store.clients.delete(tenant, id));
  if (!removed) {
    io.err(`error: no client ${id} in tenant ${tenant}`);
    return EXIT_FAILURE;
  }
  io.out(`client ${id} removed from tenant ${tenant}`);
  return 0;
}

export const clientsCommands = { add, list, remove };

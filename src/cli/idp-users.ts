/**
 * @module cli/idp-users
 * `tokenguard idp users add|list|remove`: users of a tenant. A user with `--introspect` may call the
 * introspection endpoint with HTTP Basic (WSO2 style, `name@tenant:password`); `--admin` may revoke any
 * token of its tenant. Without `--password` one is generated and printed once; only its scrypt hash is
 * stored. `--name` and `--email` are what userinfo tells clients of browser sign-in (OIDC `name`, `email`).
 */
import { configRejection } from '../config/load.ts';
import { userRecord } from '../idp/config/records.ts';
import { userSchema } from '../idp/config/schema.ts';
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
  password: { type: 'string' },
  admin: { type: 'boolean' },
  introspect: { type: 'boolean' },
  name: { type: 'string' },
  email: { type: 'string' },
} as const;

async function add(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, ADD_OPTIONS);
  const username = onePositional(positionals, 'user name');
  const tenant = tenantOption(values.tenant);
  const generated = values.password === undefined;
  const password = values.password ?? randomToken();
  const parsed = userSchema.safeParse({
    username,
    tenant,
    password,
    admin: values.admin ?? false,
    canIntrospect: values.introspect ?? false,
    name: values.name,
    email: values.email,
  });
  if (!parsed.success) {
    const rejection = configRejection(parsed.error.issues, 'user');
    throw usageError(rejection.detail ?? rejection.message);
  }
  return withAdminStore(loadConfig(values, io), async (store) => {
    if (await store.users.get(tenant, username)) {
      io.err(`error: user ${username} already exists in tenant ${tenant} (remove it first)`);
      return EXIT_FAILURE;
    }
    await ensureTenant(store, tenant, io);
    await store.users.put(await userRecord(parsed.data, undefined, Math.floor(Date.now() / 1000)));
    io.out(`user ${username} created in tenant ${tenant}`);
    if (generated) io.out(`password: ${password}   (shown once: only its hash is stored)`);
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, LIST_OPTIONS);
  if (positionals.length) throw usageError('users list takes no arguments');
  const tenant = tenantOption(values.tenant);
  const users = await withAdminStore(loadConfig(values, io), (store) => store.users.list(tenant));
  const rows = users.map((user) => ({
    username: user.username,
    tenant: user.tenant,
    admin: user.admin,
    can_introspect: user.canIntrospect,
    disabled: user.disabled,
  }));
  if (values.json) io.out(JSON.stringify(rows));
  else if (rows.length === 0) io.out(`no users in tenant ${tenant}`);
  else {
    for (const row of rows) {
      const flags = [row.admin && 'admin', row.can_introspect && 'introspect', row.disabled && 'disabled'];
      io.out(`${row.username}\t${flags.filter(Boolean).join(',') || '-'}`);
    }
  }
  return 0;
}

async function remove(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, REMOVE_OPTIONS);
  const username = onePositional(positionals, 'user name');
  const tenant = tenantOption(values.tenant);
  const removed = await withAdminStore(loadConfig(values, io), (store) =>
    store.users.delete(tenant, username),
  );
  if (!removed) {
    io.err(`error: no user ${username} in tenant ${tenant}`);
    return EXIT_FAILURE;
  }
  io.out(`user ${username} removed from tenant ${tenant}`);
  return 0;
}

export const usersCommands = { add, list, remove };

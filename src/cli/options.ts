/**
 * @module cli/options
 * Option parsing shared by the commands (`node:util` `parseArgs`, strict: an unknown option is a usage
 * error), the options every IdP command accepts (`--config`, `--store`, `--data-dir`), and opening the
 * store for the administrative commands, which work on the store directly, beside a running IdP or not.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { loadIdpConfig } from '../idp/config/load.ts';
import type { IdpConfig } from '../idp/config/schema.ts';
import { DEFAULT_TENANT } from '../idp/model.ts';
import { openStore } from '../idp/store/open-store.ts';
import type { IdpStore } from '../idp/store/types.ts';
import { isTenantId } from '../idp/tenants/tenant-id.ts';
import { usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options of every IdP command. */
export const CONFIG_OPTIONS = {
  config: { type: 'string', short: 'c' },
  store: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const TENANT_OPTION = { tenant: { type: 'string', short: 't' } } as const satisfies Options;

/** Options of the `list` commands of tenant records (clients, users). */
export const LIST_OPTIONS = { ...CONFIG_OPTIONS, ...TENANT_OPTION, json: { type: 'boolean' } } as const;

/** Options of the `remove` commands of tenant records. */
export const REMOVE_OPTIONS = { ...CONFIG_OPTIONS, ...TENANT_OPTION } as const;

/** Longest unknown option echoed whole: anything longer is more likely a pasted token than a typo. */
const SHOWN_OPTION_LENGTH = 24;

/** `parseArgs`, strict, with its errors turned into usage errors. */
export function parse<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    // parseArgs quotes an unknown option twice, whole: a token or secret that begins with '-' (`--abc…`)
    // would be printed back. Only its start is shown.
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']*)'/.exec(message)?.[1] : undefined;
    if (unknown !== undefined) {
      const shown =
        unknown.length > SHOWN_OPTION_LENGTH
          ? `${unknown.slice(0, 6)}… (${unknown.length} characters)`
          : unknown;
      throw usageError(`unknown option '${shown}'; a value that begins with '-' goes after '--'`);
    }
    throw usageError(message.split('\n')[0]);
  }
}

export interface ConfigValues {
  config?: string;
  store?: string;
  'data-dir'?: string;
}

/** The IdP config: file, environment (`TOKENGUARD_IDP_*`), then the command-line overrides. */
export function loadConfig(
  values: ConfigValues,
  io: CliIo,
  overrides: Record<string, unknown> = {},
): IdpConfig {
  return loadIdpConfig({
    file: values.config,
    env: io.env,
    overrides: { store: values.store, dataDir: values['data-dir'], ...overrides },
  });
}

/** The tenant named by `--tenant`, validated; the default tenant when absent. */
export function tenantOption(value: string | undefined): string {
  const tenant = value ?? DEFAULT_TENANT;
  if (!isTenantId(tenant))
    throw usageError(`--tenant "${tenant}" is not a tenant id (a-z, 0-9, ".", "_", "-")`);
  return tenant;
}

/** Opens the configured store for an administrative command. */
export async function openAdminStore(config: IdpConfig): Promise<IdpStore> {
  if (config.store === 'memory') {
    throw configInvalid(
      'idp.store',
      'the memory store lives inside a running IdP; administer a sqlite or postgres store',
    );
  }
  return openStore(config.store, { dataDir: config.dataDir });
}

/** Runs `work` with the admin store open, closing it whatever happens. */
export async function withAdminStore<T>(
  config: IdpConfig,
  work: (store: IdpStore) => Promise<T>,
): Promise<T> {
  const store = await openAdminStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Exactly one positional argument, named `what` in the usage error. */
export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw usageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0];
}

/**
 * @module cli/idp-keys
 * `tokenguard idp keys rotate [--tenant t]`: a new signing key takes over; the old one stops signing but
 * stays in the JWKS until the last token it signed has expired (the key manager's rollover, RFC 7517 §5).
 * Running IdPs sharing the store pick the new key up at their next key refresh (60 s; `keyRefresh` on PostgreSQL).
 */

import { maxTokenLifetimeSeconds } from '../idp/config/key-lifetime.ts';
import { KeyManager } from '../idp/keys/key-manager.ts';
import { EXIT_FAILURE, usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import { CONFIG_OPTIONS, loadConfig, parse, TENANT_OPTION, tenantOption, withAdminStore } from './options.ts';

const ROTATE_OPTIONS = { ...CONFIG_OPTIONS, ...TENANT_OPTION } as const;

async function rotate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, ROTATE_OPTIONS);
  if (positionals.length) throw usageError('keys rotate takes no arguments');
  const tenant = tenantOption(values.tenant);
  const config = loadConfig(values, io);
  return withAdminStore(config, async (store) => {
    if (!(await store.tenants.get(tenant))) {
      io.err(`error: no tenant ${tenant} in the store`);
      return EXIT_FAILURE;
    }
    const keys = new KeyManager({
      store,
      algorithm: config.tokens.algorithm,
      maxTokenLifetime: maxTokenLifetimeSeconds(config),
    });
    const key = await keys.rotate(tenant);
    io.out(
      `tenant ${tenant}: new signing key ${key.kid} (${key.alg}); earlier keys stay published until their tokens expire`,
    );
    return 0;
  });
}

export const keysCommands = { rotate };

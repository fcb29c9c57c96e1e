/**
 * @module cli/idp-tokens
 * `tokenguard idp tokens revoke <token> | --client id | --subject s [--tenant t]`: revocation by an
 * operator. One token is found as the token endpoints would find it (a JWT by its verified `jti`, an opaque
 * token by its digest) and revoked with its grant when it is a refresh token (RFC 7009 §2.1);
 * `--client` / `--subject` revoke every token of a client or subject (a leaked secret, a departed user).
 */
import { KeyManager } from '../idp/keys/key-manager.ts';
import { DefaultTokenService } from '../idp/tokens/token-service.ts';
import { EXIT_FAILURE, usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import { CONFIG_OPTIONS, loadConfig, parse, TENANT_OPTION, tenantOption, withAdminStore } from './options.ts';

const REVOKE_OPTIONS = {
  ...CONFIG_OPTIONS,
  ...TENANT_OPTION,
  client: { type: 'string' },
  subject: { type: 'string' },
} as const;

async function revoke(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, REVOKE_OPTIONS);
  const byQuery = values.client !== undefined || values.subject !== undefined;
  if (positionals.length > 1 || (positionals.length === 1) === byQuery) {
    throw usageError('tokens revoke takes one token, or --client and/or --subject');
  }
  const tenant = tenantOption(values.tenant);
  const now = Math.floor(Date.now() / 1000);
  return withAdminStore(loadConfig(values, io), async (store) => {
    if (byQuery) {
      const count = await store.tokens.revokeWhere(
        tenant,
        { clientId: values.client, subject: values.subject },
        now,
      );
      io.out(`${count} token${count === 1 ? '' : 's'} revoked in tenant ${tenant}`);
      return 0;
    }
    const tokens = new DefaultTokenService({ store, keys: new KeyManager({ store }) });
    const realm = { tenant, issuer: '', claimStyle: 'rfc9068' as const };
    const record = await tokens.find(realm, positionals[0]);
    if (!record) {
      io.err(`error: no such token in tenant ${tenant}`);
      return EXIT_FAILURE;
    }
    // The operator speaks for the tenant, as a static credential of it does (idp/tokens/revocation).
    await tokens.revoke(realm, positionals[0], undefined, { kind: 'static', name: 'cli', tenant });
    io.out(`${record.kind} token of client ${record.clientId} (subject ${record.subject}) revoked`);
    return 0;
  });
}

export const tokensCommands = { revoke };

/**
 * @module cli/idp-tokens
 * `tokenguard idp tokens revoke <token> | --client id | --subject s [--tenant t]`: revocation by an
 * operator. One token is found as the token endpoints would find it (a JWT by its verified `jti`, an opaque
 * token by its digest) and revoked with its grant when it is a refresh token (RFC 7009 §2.1);
 * `--client` / `--subject` revoke every token of a client or subject (a leaked secret, a departed user).
 * `tokens revoke-client <id>` and `tokens revoke-subject <sub>` say the latter two by name.
 *
 * Every revocation is announced on Redis when `idp.events.redis.url` is set (`idp/events`): the running
 * IdPs relay it to their event streams and subscribed caches drop the tokens at once; without it, caches
 * keep serving them until their TTL, which the command says.
 */
import type { IdpConfig } from '../idp/config/schema.ts';
import type { RevocationEvents } from '../idp/events/revocation-events.ts';
import { startRevocationEvents } from '../idp/events/start.ts';
import { KeyManager } from '../idp/keys/key-manager.ts';
import type { IdpStore } from '../idp/store/types.ts';
import { DefaultTokenService } from '../idp/tokens/token-service.ts';
import { silentLogger } from '../observability/logger.ts';
import { EXIT_FAILURE, usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import {
  CONFIG_OPTIONS,
  loadConfig,
  onePositional,
  parse,
  TENANT_OPTION,
  tenantOption,
  withAdminStore,
} from './options.ts';

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
    throw usageError(
      "tokens revoke takes one token, or --client and/or --subject (a token that begins with '-' goes after '--')",
    );
  }
  const tenant = tenantOption(values.tenant);
  const now = Math.floor(Date.now() / 1000);
  const config = loadConfig(values, io);
  return withAdminStore(config, (store) =>
    withEvents(config, store, io, async (events) => {
      if (byQuery) {
        const { revoked } = await events.revokeWhere(
          tenant,
          { clientId: values.client, subject: values.subject },
          now,
        );
        io.out(`${revoked} token${revoked === 1 ? '' : 's'} revoked in tenant ${tenant}`);
        return 0;
      }
      const tokens = new DefaultTokenService({ store, keys: new KeyManager({ store }), events });
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
    }),
  );
}

/** `tokens revoke-client <clientId>` / `tokens revoke-subject <subject>`: every token of one of them. */
function revokeAll(by: 'client' | 'subject') {
  return async (args: string[], io: CliIo): Promise<number> => {
    const { values, positionals } = parse(args, { ...CONFIG_OPTIONS, ...TENANT_OPTION });
    const id = onePositional(positionals, by === 'client' ? 'client id' : 'subject');
    const tenant = tenantOption(values.tenant);
    const config = loadConfig(values, io);
    return withAdminStore(config, (store) =>
      withEvents(config, store, io, async (events) => {
        const { revoked } =
          by === 'client' ? await events.revokeClient(tenant, id) : await events.revokeSubject(tenant, id);
        io.out(`${revoked} token${revoked === 1 ? '' : 's'} of ${by} ${id} revoked in tenant ${tenant}`);
        return 0;
      }),
    );
  };
}

/**
 * Runs `work` with the revocation events of the config (Redis only: the CLI serves no stream), then says
 * what was announced. Issuers come from `idp.issuer` when set, else from the revoked tokens themselves.
 */
async function withEvents(
  config: IdpConfig,
  store: IdpStore,
  io: CliIo,
  work: (events: RevocationEvents) => Promise<number>,
): Promise<number> {
  const events = await startRevocationEvents(config, {
    store,
    logger: silentLogger,
    base: () => config.issuer.replace(/\/+$/, ''),
  });
  try {
    const code = await work(events.revocations);
    const { events: announced, channels } = events.revocations.counts();
    if (announced === 0) return code;
    const redis = channels.redis;
    if (!redis) {
      io.out(
        'no revocation event published (idp.events.redis.url is not set): caches keep the tokens until their TTL',
      );
    } else if (redis.failed > 0) {
      io.err(`warning: ${redis.failed} of ${announced} revocation events could not be published on Redis`);
    } else {
      io.out(
        `${redis.published} revocation event${redis.published === 1 ? '' : 's'} published on ${config.events.redis.channel}`,
      );
    }
    return code;
  } finally {
    await events.close();
  }
}

export const tokensCommands = {
  revoke,
  'revoke-client': revokeAll('client'),
  'revoke-subject': revokeAll('subject'),
};

/**
 * @module cli/idp-serve
 * `tokenguard idp [--config file.yaml] [--host h] [--port p]`: runs the IdP until SIGINT or SIGTERM. With
 * no config it listens on 127.0.0.1:8081 with a SQLite store under `.data/`. Once it listens, stdout gets
 * the line `tokenguard idp listening on <url>` (scripts and tests read the bound port there, `--port 0`
 * included), then what to do next: discovery, creating a client, getting and introspecting a token.
 */

import { DEFAULT_TENANT } from '../idp/model.ts';
import { createIdp, type Idp } from '../idp/server.ts';
import { endpointUrls } from '../idp/tenants/profiles.ts';
import { usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import { CONFIG_OPTIONS, loadConfig, parse } from './options.ts';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
} as const;

function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw usageError(`--port "${value}" is not a port number (0-65535)`);
  return port;
}

/** The lines that tell a newcomer what to try next, with this server's real URLs. */
function nextSteps(idp: Idp): string[] {
  const { config } = idp;
  const urls = endpointUrls(config.profiles[0], idp.url, DEFAULT_TENANT);
  const declared = config.clients.filter((client) => client.tenant === DEFAULT_TENANT && client.secret);
  const client = declared[0]?.id ?? 'my-client';
  const grant = config.profiles[0] === 'authkit' ? '-XPOST' : '-d grant_type=client_credentials';
  const store =
    config.store === 'sqlite' ? `sqlite in ${config.dataDir}/` : config.store.replace(/:\/\/.*@/, '://…@');
  return [
    `tokenguard idp listening on ${idp.url}`,
    `  issuer ${idp.issuer}, store ${store}, profiles ${config.profiles.join(', ')}`,
    '',
    'Next steps:',
    `  discovery:         curl ${idp.url}/.well-known/openid-configuration`,
    declared.length
      ? `  clients declared:  ${declared.map((entry) => entry.id).join(', ')}`
      : `  create a client:   tokenguard idp clients add ${client} --scope read --introspect   (prints its secret once)`,
    `  get a token:       curl -u ${client}:<secret> ${grant} ${urls.token}`,
    `  introspect it:     curl -u ${client}:<secret> -d token=<access_token> ${urls.introspect}`,
    ...(config.console.enabled
      ? [`  console:           ${idp.url}/console/   (users added with --admin sign in there)`]
      : []),
    `  stop:              Ctrl-C`,
  ];
}

export async function serve(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (positionals.length) throw usageError(`unknown command "idp ${positionals[0]}"`);
  const config = loadConfig(values, io, { host: values.host, port: portOption(values.port) });
  const idp = await createIdp(config);
  for (const line of nextSteps(idp)) io.out(line);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await idp.close();
  return 0;
}

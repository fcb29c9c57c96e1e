#!/usr/bin/env node
/**
 * @module cli/main
 * The `tokenguard` command line. Commands:
 *
 *   tokenguard idp [--config file.yaml] [--host h] [--port p]     run the identity provider
 *   tokenguard idp clients add <id> [--secret s] [--scope …] [--format jwt|opaque] [--grant g] [--introspect]
 *     [--redirect-uri u] [--public] [--first-party] [--tenant t]
 *   tokenguard idp clients list [--tenant t] [--json]
 *   tokenguard idp clients remove <id> [--tenant t]
 *   tokenguard idp users add <name> [--password p] [--admin] [--introspect] [--name n] [--email e] [--tenant t]
 *   tokenguard idp users list|remove …
 *   tokenguard idp tokens revoke <token> | --client id | --subject s [--tenant t]
 *   tokenguard idp tokens revoke-client <id> | revoke-subject <sub> [--tenant t]
 *   tokenguard idp keys rotate [--tenant t]
 *   tokenguard gateway --config gateway.yaml                       run the gateway (src/gateway/cli.ts)
 *
 * (`clients`, `users`, `tokens` and `keys` also work without the `idp` word.) Every IdP command takes
 * `--config`, `--store` and `--data-dir`; `TOKENGUARD_IDP_*` environment variables override the file.
 * Exit codes: 0 success, 1 configuration or runtime error (one line naming the config key), 2 usage error
 * (one line). No stack traces.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeFailure, EXIT_USAGE, usageError } from './cli-error.ts';
import { clientsCommands } from './idp-clients.ts';
import { keysCommands } from './idp-keys.ts';
import { serve } from './idp-serve.ts';
import { tokensCommands } from './idp-tokens.ts';
import { usersCommands } from './idp-users.ts';
import { type CliIo, processIo } from './io.ts';

type Command = (args: string[], io: CliIo) => Promise<number>;

const GROUPS: Readonly<Record<string, Readonly<Record<string, Command>>>> = {
  clients: clientsCommands,
  users: usersCommands,
  tokens: tokensCommands,
  keys: keysCommands,
};

export const USAGE = `Usage:
  tokenguard idp [--config file.yaml] [--host h] [--port p]
  tokenguard idp clients add <id> [--secret s] [--scope s]... [--format jwt|opaque] [--grant g]... [--introspect]
      [--redirect-uri u]... [--public] [--first-party] [--tenant t]
  tokenguard idp clients list [--tenant t] [--json]
  tokenguard idp clients remove <id> [--tenant t]
  tokenguard idp users add <name> [--password p] [--admin] [--introspect] [--name n] [--email e] [--tenant t]
  tokenguard idp users list [--tenant t] [--json]
  tokenguard idp users remove <name> [--tenant t]
  tokenguard idp tokens revoke <token> | --client id | --subject s [--tenant t]
  tokenguard idp tokens revoke-client <id> | revoke-subject <sub> [--tenant t]
  tokenguard idp keys rotate [--tenant t]
  tokenguard gateway --config gateway.yaml
Every idp command takes --config file.yaml, --store (sqlite | memory | sqlite:<file> | postgres://…) and --data-dir dir.`;

/** Runs one command line; resolves with the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    const args = argv[0] === 'idp' ? argv.slice(1) : argv;
    if (argv.length === 0) throw usageError('no command (try: tokenguard idp)');
    if (argv[0] === 'gateway' && !argv.includes('--help') && !argv.includes('-h')) {
      // loaded on demand: the IdP's commands do not pay for the gateway's modules
      const { gatewayCommand } = await import('../gateway/cli.ts');
      return await gatewayCommand(argv.slice(1), io);
    }
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    const group = Object.hasOwn(GROUPS, args[0]) ? GROUPS[args[0]] : undefined;
    if (group) {
      const command = Object.hasOwn(group, args[1] ?? '') ? group[args[1]] : undefined;
      if (!command)
        throw usageError(`unknown command "${args[0]} ${args[1] ?? ''}" (${Object.keys(group).join(', ')})`);
      return await command(args.slice(2), io);
    }
    if (argv[0] !== 'idp') throw usageError(`unknown command "${argv[0]}" (try: tokenguard idp)`);
    return await serve(args, io);
  } catch (error) {
    const { line, code } = describeFailure(error);
    io.err(line);
    if (code === EXIT_USAGE) io.err('(tokenguard --help lists the commands)');
    return code;
  }
}

/** Run as a program (also through an npm bin symlink; `import.meta.main` exists from Node 24.2). */
function isProgram(): boolean {
  if (typeof import.meta.main === 'boolean') return import.meta.main;
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isProgram()) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * @module gateway/cli
 * `tokenguard gateway --config gateway.yaml`: runs the gateway until SIGINT or SIGTERM (then drains and
 * exits 0). The config file is YAML or JSON with a `gateway` section; `TOKENGUARD_GATEWAY_*` environment
 * variables override its scalar keys. Once both listeners are up, stderr gets the line
 * `tokenguard gateway listening on <proxy url>, api on <api url>` (scripts and tests read the ports there)
 * and stdout the same as a JSON log line. The configuration is reloaded on SIGHUP and, unless
 * `gateway.reload.watch` is off, when the file changes; an invalid file is refused with a log line naming
 * the key, and the configuration in force stays.
 */

import { usageError } from '../cli/cli-error.ts';
import type { CliIo } from '../cli/io.ts';
import { parse } from '../cli/options.ts';
import { isTokenguardError } from '../errors/tokenguard-error.ts';
import { readGatewaySection } from './config/load.ts';
import { createGateway } from './gateway.ts';
import { watchFile } from './watch.ts';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const GATEWAY_USAGE = 'tokenguard gateway --config gateway.yaml';

export async function gatewayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (positionals.length) throw usageError(`unknown argument "${positionals[0]}" (usage: ${GATEWAY_USAGE})`);
  const file = values.config;
  if (!file) throw usageError(`--config is required (usage: ${GATEWAY_USAGE})`);
  const read = () => readGatewaySection({ file, env: io.env });
  const gateway = await createGateway(read());
  io.err(`tokenguard gateway listening on ${gateway.proxyUrl}, api on ${gateway.apiUrl}`);

  const reload = async (cause: string) => {
    let raw: ReturnType<typeof read>;
    try {
      raw = read();
    } catch (error) {
      const detail = isTokenguardError(error) ? error.detail : String(error);
      gateway.logger.error({ cause, error_detail: detail }, 'configuration rejected; the one in force stays');
      return;
    }
    // A configuration that is refused is logged by the gateway, naming the key.
    await gateway.reload(raw).catch(() => undefined);
  };
  const watcher = gateway.config.reload.watch
    ? watchFile(file, gateway.config.reload.debounce, () => void reload('file changed'))
    : undefined;
  const onHangup = () => void reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.off('SIGHUP', onHangup);
  watcher?.close();
  await gateway.close();
  return 0;
}

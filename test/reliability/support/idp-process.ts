/**
 * @module test/reliability/support/idp-process
 * The IdP as a real process (`tokenguard idp --config <file>`), for what only a process can show: a SIGKILL
 * in the middle of writes, a restart on the same store. Its stdout (the banner, then the JSON log lines)
 * is kept for the leak scan; `url` comes from the `tokenguard idp listening on <url>` line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';

const NODE = new URL('../../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

export interface IdpProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr lines so far. */
  readonly lines: string[];
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Writes `{idp: section}` as YAML to `file`. */
export function writeIdpConfig(file: string, section: Record<string, unknown>): void {
  writeFileSync(file, stringify({ idp: section }));
}

/** Starts `tokenguard idp --port 0 --config <file>` in `cwd`; resolves once it listens. */
export async function startIdpProcess(
  config: string,
  cwd: string,
  lines: string[] = [],
): Promise<IdpProcess> {
  const child = spawn(NODE, [MAIN, 'idp', '--port', '0', '--config', config], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const match = /^tokenguard idp listening on (\S+)$/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the IdP exited with ${code}: ${lines.join('\n')}`)));
  });
  child.removeAllListeners('exit');
  return {
    url,
    child,
    lines,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

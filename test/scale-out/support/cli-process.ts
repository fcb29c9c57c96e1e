/**
 * @module test/scale-out/support/cli-process
 * One `tokenguard` CLI process as an operator runs it (`node src/cli/main.ts idp|gateway --config <file>`),
 * for the scale-out suite and the revocation benchmark: its JSON log lines parsed as they arrive, so a test
 * can wait for `revocation events live` or `shared cache unavailable …` (woken by the line itself, no
 * polling), its whole output kept for failure messages, and a stop that ends it by its own pid (SIGTERM,
 * then SIGKILL if it does not exit in time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const NODE = new URL('../../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
/** How long a process may take to drain after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

export type LogLine = Record<string, unknown> & { msg?: string; time?: string };

export class CliProcess {
  readonly name: string;
  /** stdout and stderr as received, for failure messages. */
  output = '';
  /** stdout's JSON lines, parsed. */
  readonly logs: LogLine[] = [];
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  /** Called after each line (raw, and parsed when it is a log line). */
  readonly #watchers = new Set<(line: string, log: LogLine | undefined) => void>();

  private constructor(name: string, args: string[], cwd: string) {
    this.name = name;
    this.#child = spawn(NODE, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = once(this.#child, 'exit').then(() => undefined);
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.#line(line));
    }
  }

  /** Starts `tokenguard <args…>` in `cwd`. */
  static start(name: string, args: string[], cwd: string): CliProcess {
    return new CliProcess(name, args, cwd);
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves the first output line (stdout or stderr, from now on or already seen) matching `pattern`. */
  line(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const seen = this.output
      .split('\n')
      .map((line) => pattern.exec(line))
      .find(Boolean);
    if (seen) return Promise.resolve(seen);
    return this.#until(`a line matching ${pattern}`, timeoutMs, (line) => pattern.exec(line) ?? undefined);
  }

  /** Log lines whose `msg` is `msg`, from index `from` on. */
  logsOf(msg: string, from = 0): LogLine[] {
    return this.logs.slice(from).filter((line) => line.msg === msg);
  }

  /** Resolves the first log line with `msg` (and the given fields) at index `from` or later, as it arrives. */
  waitForLog(
    msg: string,
    options: { from?: number; fields?: Record<string, unknown>; timeoutMs?: number } = {},
  ): Promise<LogLine> {
    const { from = 0, fields = {}, timeoutMs = 15_000 } = options;
    const matches = (log: LogLine | undefined): log is LogLine =>
      log?.msg === msg &&
      Object.entries(fields).every(([key, value]) => JSON.stringify(log[key]) === JSON.stringify(value));
    const seen = this.logs.slice(from).find(matches);
    if (seen) return Promise.resolve(seen);
    return this.#until(`log "${msg}" ${JSON.stringify(fields)}`, timeoutMs, (_line, log) =>
      matches(log) ? log : undefined,
    );
  }

  /** SIGTERM (the CLI drains and exits 0), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves the first result of `probe` on a line to come; rejects on timeout or exit. */
  #until<T>(
    what: string,
    timeoutMs: number,
    probe: (line: string, log: LogLine | undefined) => T | undefined,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const watcher = (line: string, log: LogLine | undefined) => {
        const found = probe(line, log);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      this.#watchers.add(watcher);
      this.exited.then(() => {
        if (!this.#watchers.has(watcher)) return;
        done();
        reject(new Error(`${this.name} exited before ${what}:\n${this.output}`));
      });
    });
  }

  #line(line: string): void {
    this.output += `${line}\n`;
    let log: LogLine | undefined;
    if (line.startsWith('{')) {
      try {
        log = JSON.parse(line) as LogLine;
        this.logs.push(log);
      } catch {
        // not a log line after all
      }
    }
    for (const watcher of this.#watchers) watcher(line, log);
  }
}

/** The line announcing that `child` listens; a child that does not print it is stopped. */
async function started(child: CliProcess, pattern: RegExp): Promise<RegExpExecArray> {
  try {
    return await child.line(pattern);
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** `tokenguard idp --port 0 --config <file>`; resolves once it listens, with its URL. */
export async function startIdpProcess(
  name: string,
  config: string,
  cwd: string,
): Promise<{ process: CliProcess; url: string }> {
  const child = CliProcess.start(name, ['idp', '--port', '0', '--config', config], cwd);
  const [, url] = await started(child, /^tokenguard idp listening on (\S+)$/);
  return { process: child, url };
}

/** `tokenguard gateway --config <file>`; resolves once both listeners are up, with their URLs. */
export async function startGatewayProcess(
  name: string,
  config: string,
  cwd: string,
): Promise<{ process: CliProcess; url: string; api: string }> {
  const child = CliProcess.start(name, ['gateway', '--config', config], cwd);
  const [, url, api] = await started(child, /^tokenguard gateway listening on (\S+), api on (\S+)$/);
  return { process: child, url, api };
}

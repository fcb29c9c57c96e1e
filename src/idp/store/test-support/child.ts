/**
 * @module idp/store/test-support/child
 * Runs a `*.child.ts` script of this folder in its own Node process (the project's Node 24, which strips the
 * types), so tests can share one SQLite file between real processes. A child talks in lines: it writes
 * results to stdout and may wait for a `go` line on stdin, so that several children start their work
 * together.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const NODE = fileURLToPath(new URL('../../../../node_modules/.bin/node', import.meta.url));

export class Child {
  readonly lines: string[] = [];
  readonly pid: number;
  /** Resolves when the process has ended, with its exit code or the signal that killed it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #process: ChildProcessWithoutNullStreams;
  #stderr = '';
  /** Set at 'close', after stdout is drained; `exitCode` is set earlier, while lines may still arrive. */
  #closed = false;
  #waiters: Array<() => void> = [];

  /** Starts `test-support/<script>` with `args`. */
  constructor(script: string, args: string[]) {
    this.#process = spawn(NODE, [fileURLToPath(new URL(script, import.meta.url)), ...args]);
    this.pid = this.#process.pid!;
    this.#process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    createInterface({ input: this.#process.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.#wake();
    });
    this.exited = new Promise((resolve) => {
      this.#process.on('close', (code, signal) => {
        this.#closed = true;
        resolve({ code, signal });
        this.#wake();
      });
    });
  }

  /** Waits until `count` lines satisfy `predicate`; rejects (with the child's stderr) if it ends before. */
  async waitFor(predicate: (line: string) => boolean, count = 1): Promise<void> {
    for (;;) {
      if (this.lines.filter(predicate).length >= count) return;
      if (this.#closed) {
        throw new Error(`child ended before printing what was awaited; stderr:\n${this.#stderr}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Ends successfully, or rejects with the child's stderr. */
  async succeeded(): Promise<void> {
    const { code, signal } = await this.exited;
    if (code !== 0)
      throw new Error(`child failed (code ${code}, signal ${signal}); stderr:\n${this.#stderr}`);
  }

  send(line: string): void {
    this.#process.stdin.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals): void {
    this.#process.kill(signal);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** In a child: resolves at the first `go` line on stdin. */
export function goSignal(): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line !== 'go') return;
      lines.close();
      // An open stdin would keep the child alive after its work.
      process.stdin.destroy();
      resolve();
    });
  });
}

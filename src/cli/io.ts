/**
 * @module cli/io
 * Where commands write, and what they read from the environment: injected, so that commands run in-process
 * in tests and as a real process alike.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

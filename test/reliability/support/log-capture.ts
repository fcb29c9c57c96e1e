/**
 * @module test/reliability/support/log-capture
 * Loggers whose lines the test keeps: the project's own pino setup (`createLogger`, so redaction and field
 * names are the real ones) writing to a destination that records every JSON line. The reliability suites
 * give one to every component they start (IdP, gateway, authenticators) and scan all of them for leaked
 * secrets at the end (`support/leaks`), so "no secret in any log line" is checked on whole scenarios.
 */
import { createLogger, type Logger } from '../../../src/observability/logger.ts';

export interface LogCapture {
  readonly logger: Logger;
  /** Every line written so far, as written (JSON text). */
  readonly lines: string[];
  /** The lines parsed, for assertions on fields. */
  records(): Record<string, unknown>[];
  /** Lines whose `msg` contains `text`. */
  find(text: string): Record<string, unknown>[];
}

/** A logger at `level` (default debug: the most that could leak) that keeps its lines. */
export function captureLogs(level = 'debug'): LogCapture {
  const lines: string[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(line);
    },
  };
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logger: createLogger({ level, destination }),
    lines,
    records,
    find: (text) => records().filter((record) => String(record.msg ?? '').includes(text)),
  };
}

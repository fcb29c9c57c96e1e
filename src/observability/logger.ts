/**
 * @module observability/logger
 * pino configured to write the JSON lines of seed 000: `"level":"info"` as a word, `time` as a local ISO
 * timestamp with offset, `msg`, `pid`. Tokens and secrets never reach a log line: the pipeline logs
 * only codes, reasons and token hashes, and the redact paths below are a second guard.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Keys that never reach a log line, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'clientSecret',
  'password',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.access_token',
  '*.client_secret',
  '*.password',
];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `2024-10-07T10:18:02.976+03:00`: local time with its offset, as seed 000's logs. */
export function localIsoTime(date = new Date()): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

export function createLogger({ level = 'info', destination }: LoggerOptions = {}): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    messageKey: 'msg',
    timestamp: () => `,"time":"${localIsoTime()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing (the library's default: it stays silent unless given one). */
export const silentLogger: Logger = pino({ enabled: false });

/**
 * @module test/reliability/support/raw-http
 * HTTP as a hostile client writes it: bytes on a socket, exactly as given (duplicated headers, CR/LF where
 * they do not belong, a head over any limit), optionally trickled one piece at a time (slowloris), and the
 * server's answer read raw: status, headers, body, and whether it closed the connection.
 */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  /** 0 when the server closed without answering. */
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (after answering, or instead). */
  closed: boolean;
  /** Milliseconds from the first byte sent to the end. */
  elapsedMs: number;
}

function parse(raw: Buffer, closed: boolean, elapsedMs: number): RawReply {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, head, headers, body: end === -1 ? '' : text.slice(end + 4), closed, elapsedMs };
}

/**
 * Whether `raw` holds one complete answer: the head alone for HEAD requests and bodiless statuses, else
 * by Content-Length (a chunked body ends with `0\r\n\r\n`).
 */
function complete(raw: Buffer, head: boolean): boolean {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  if (head || /^HTTP\/1\.[01] (204|304)/.test(text)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
  if (length) return raw.length - (end + 4) >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(text.slice(0, end))) return text.endsWith('0\r\n\r\n');
  return false;
}

export interface RawOptions {
  /** Pieces sent one after the other, `intervalMs` apart (slowloris); default: everything at once. */
  intervalMs?: number;
  /** Give up (and report what arrived) after this long; default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends `pieces` on a new connection to `origin` and resolves with the first complete answer, or with
 * what arrived when the server closed or the time ran out.
 */
export function rawExchange(
  origin: string,
  pieces: string | Buffer | (string | Buffer)[],
  options: RawOptions = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(origin);
  const list = Array.isArray(pieces) ? pieces : [pieces];
  const isHead = String(list[0]).startsWith('HEAD ');
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(overall);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks), closed, performance.now() - started));
    };
    const overall = setTimeout(() => finish(false), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks), isHead)) setImmediate(() => finish(socket.readableEnded));
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after (or instead of) an answer is the server closing on us, not a test failure.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(true);
      else if (!done) reject(error);
    });
    socket.once('connect', () => {
      let index = 0;
      const next = () => {
        if (done || socket.destroyed) return;
        socket.write(list[index++]);
        if (index < list.length) timer = setTimeout(next, options.intervalMs ?? 0);
      };
      next();
    });
  });
}

/** A request head (and body) as text: `lines` are header lines, written as given. */
export function rawRequest(method: string, path: string, lines: string[], body = ''): string {
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}\r\n${body}`;
}

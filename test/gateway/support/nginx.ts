/**
 * @module test/gateway/support/nginx
 * A real nginx for end-to-end tests, run as a foreground child process of the test
 * (`nginx -p <dir> -c <dir>/nginx.conf -g 'daemon off;'`): everything it writes (pid, error log, temp
 * paths) stays in a fresh temp directory, it listens on a 127.0.0.1 port picked by binding port 0 first,
 * and `close()` stops it and removes the directory. Also an upstream that echoes the request it received
 * as JSON, to see exactly what nginx forwarded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServer, listen, sendJson } from '../../support/loopback.ts';

/** Debian's nginx-light (it has `http_auth_request`); CI installs it. */
export const NGINX_BINARY = '/usr/sbin/nginx';

/** false when nginx is installed; else the reason to skip. */
export function nginxMissing(): string | false {
  return existsSync(NGINX_BINARY) ? false : `${NGINX_BINARY} is not installed (apt-get install nginx-light)`;
}

/** A 127.0.0.1 port nothing listens on right now: bound at port 0, then released for nginx to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return Number(new URL(url).port);
}

export interface RunningNginx {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The error log so far (for assertion messages). */
  errorLog(): string;
  close(): Promise<void>;
}

/** The main configuration around `http`, the contents of the `http {}` block (servers, upstreams, maps). */
function mainConfig(dir: string, http: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `    ${name}_temp_path ${join(dir, name)};`)
    .join('\n');
  return [
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'worker_processes 1;',
    'events { worker_connections 256; }',
    'http {',
    '    access_log off;',
    temp,
    http,
    '}',
    '',
  ].join('\n');
}

/** Resolves once something accepts connections on `port`; rejects if nginx exits first or after `ms`. */
async function accepting(port: number, child: ChildProcess, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new Error(`nginx did not listen on ${port} within ${ms} ms: ${log()}`);
}

/**
 * Starts nginx with `http(port)` as its `http {}` block contents, `port` being the free port its server
 * must listen on. Resolves once the port accepts connections.
 */
export async function startNginx(http: (port: number) => string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-nginx-'));
  // Run as root, nginx's workers switch to an unprivileged user that must reach the temp paths.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, mainConfig(dir, http(port)));
  let stderr = '';
  const errorLog = () => {
    const file = join(dir, 'error.log');
    return `${stderr}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  };
  const child = spawn(NGINX_BINARY, ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      // SIGTERM: nginx's fast shutdown (the master stops its workers, then exits).
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await accepting(port, child, 5_000, errorLog);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, errorLog, close: stop };
}

export interface EchoUpstream {
  readonly url: string;
  close(): Promise<void>;
}

/** An upstream answering every request with `{"method","url","headers"}` of what it received. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () =>
      sendJson(response, 200, { method: request.method, url: request.url, headers: request.headers }),
    );
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

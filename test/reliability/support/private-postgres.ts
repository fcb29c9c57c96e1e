/**
 * @module test/reliability/support/private-postgres
 * A PostgreSQL server of the test's own (the machine's one on 5432 is shared and must stay up): `initdb`
 * into a temporary directory owned by the `postgres` user (initdb refuses root), `pg_ctl start` on a free
 * loopback port, and `restart()` = `pg_ctl stop -m immediate` (no shutdown checkpoint: as a crash, WAL
 * replay on the way up) then start. Unavailable without the binaries or a `postgres` user: `unavailable()`.
 * Commands run asynchronously: the IdPs under test live in this process and must keep running meanwhile.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPortUrl } from '../../support/loopback.ts';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const bin = versions
    .map((version) => join(root, version, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  return bin;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Why a private server cannot run here, or undefined when it can. */
export function unavailable(): string | undefined {
  if (!binDir()) return 'no PostgreSQL binaries under /usr/lib/postgresql';
  if (userInfo().uid === 0 && !postgresIds()) return 'running as root without a postgres user for initdb';
  return undefined;
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Immediate stop (a crash: no checkpoint), resolving once the server is gone. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  close(): Promise<void>;
}

const run = promisify(execFile);

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error(unavailable());
  const port = Number(new URL(await closedPortUrl()).port);
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const ids = asRoot ? postgresIds() : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const command = (program: string, args: string[]) => {
    const path = join(bin, program);
    return ids ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, args);
  };
  await command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=50`;
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await command('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    },
    stop: async () => {
      await command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    close: async () => {
      try {
        await server.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

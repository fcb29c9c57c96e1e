/**
 * @module bench/profile-idp
 * Profiles one IdP of the IdP benchmark under load: starts `servers/<server>` (default `idp-server.ts`)
 * with the profiler hook, warms it up, then sends a fixed number of introspections (or token requests)
 * with autocannon while the server profiles itself. Reports the server's CPU µs per request (its own
 * `process.cpuUsage`) and the profile of exactly that window, summarized per request (`profile-summary`).
 * Pinned like scenario 6 when taskset is present.
 *
 *   node_modules/.bin/node bench/profile-idp.ts [--server oidc-provider-server.ts] [--requests 40000]
 *     [--what opaque|jwt|tokens] [--top 30] [--no-profile]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { childCpuMicros, firstJsonLine, pinSelf } from './lib.ts';
import { type Row, summarize } from './profile-summary.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'idp-server.ts' },
    requests: { type: 'string', default: '40000' },
    what: { type: 'string', default: 'opaque' },
    top: { type: 'string', default: '30' },
    'no-profile': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(values.requests);
const PROFILE = !values['no-profile'];
const pinned = pinSelf();
const hook = new URL('./servers/profiler-hook.ts', import.meta.url).pathname;
const script = new URL(`./servers/${values.server}`, import.meta.url).pathname;
const nodeArgs = ['--import', hook, script];
const stdio = ['ignore', 'pipe', 'inherit', 'ipc'] as ('ignore' | 'pipe' | 'inherit' | 'ipc')[];
const child = pinned
  ? spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs], { stdio })
  : spawn(process.execPath, nodeArgs, { stdio });
const idp = await firstJsonLine<{
  url: string;
  token: string;
  jwt?: string;
  client: { id: string; secret: string };
  paths: { token: string; introspect: string };
}>(child);

async function ask<T>(message: string, key: string): Promise<T> {
  child.send(message);
  for (;;) {
    const [answer] = (await once(child, 'message')) as [Record<string, unknown>];
    if (key in answer) return answer[key] as T;
  }
}

async function load(amount: number): Promise<number> {
  const tokens = values.what === 'tokens';
  const result = await autocannon({
    url: `${idp.url}${tokens ? idp.paths.token : idp.paths.introspect}`,
    method: 'POST',
    connections: 16,
    amount,
    headers: {
      authorization: `Basic ${Buffer.from(`${idp.client.id}:${idp.client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: tokens
      ? 'grant_type=client_credentials&scope=read'
      : `token=${values.what === 'jwt' ? idp.jwt : idp.token}`,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result.requests.total;
}

await load(Math.min(20_000, REQUESTS)); // warm-up: JIT, caches
if (PROFILE) await ask('profile:start', 'profiling');
const before = await childCpuMicros(child);
const started = Date.now();
const done = await load(REQUESTS);
const after = await childCpuMicros(child);
const seconds = (Date.now() - started) / 1000;
const path = PROFILE ? await ask<string>('profile:stop', 'profile') : undefined;
child.kill('SIGTERM');
console.log(
  `${values.server} ${values.what}: ${done} requests, ${Math.round(done / seconds)} req/s, ` +
    `server CPU ${((after - before) / done).toFixed(1)} µs/request${PROFILE ? ' (profiler on)' : ''}`,
);
if (path) {
  const summary = summarize(JSON.parse(readFileSync(path, 'utf8')));
  const top = Number(values.top);
  const show = (title: string, rows: Row[]) => {
    console.log(`\n${title} (µs per request)`);
    for (const row of rows.slice(0, top))
      console.log(`${(row.micros / done).toFixed(2).padStart(8)}  ${row.name}`);
  };
  console.log(
    `profile: ${path}; busy (non-idle) time in it: ${(summary.totalMicros / done).toFixed(1)} µs/request`,
  );
  show('self time by function', summary.selfByFunction);
  show('inclusive time by function', summary.inclusiveByFunction);
  show('self time by file', summary.selfByFile);
}

/**
 * Scenario 6: the IdP against oidc-provider on the same machine, same run, alternating rounds:
 * introspection req/s of an opaque token (both), of a JWT (ours only: oidc-provider does not introspect
 * JWTs), and client-credentials token issuance req/s. Each IdP runs in its own process pinned to core 0;
 * autocannon runs here, pinned to core 1. Besides req/s, each round records the server's CPU time per
 * answered request (its own `process.cpuUsage`, asked over IPC): on a shared, noisy machine that figure is
 * steadier than req/s. Targets: introspection ≥ 2× oidc-provider; ≥ 5,000 tokens/s.
 */
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { childCpuMicros, firstJsonLine, median, pinSelf, rounds, save, spawnPinned } from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);

interface Idp {
  child: ChildProcess;
  url: string;
  token: string;
  jwt?: string;
  client: { id: string; secret: string };
  paths: { token: string; introspect: string };
}

const PINNED = pinSelf();

async function start(script: string): Promise<Idp> {
  const child = spawnPinned(PINNED, new URL(`./servers/${script}`, import.meta.url).pathname, [], true);
  return { child, ...(await firstJsonLine<Omit<Idp, 'child'>>(child)) };
}

interface Sample {
  rps: number;
  cpuPerRequest: number;
}

async function post(idp: Idp, path: string, body: string): Promise<Sample> {
  const before = await childCpuMicros(idp.child);
  const result = await autocannon({
    url: `${idp.url}${path}`,
    method: 'POST',
    connections: 16,
    duration: DURATION_S,
    headers: {
      authorization: `Basic ${Buffer.from(`${idp.client.id}:${idp.client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${idp.url}${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  const after = await childCpuMicros(idp.child);
  return {
    rps: result.requests.average,
    cpuPerRequest: (after - before) / Math.max(1, result.requests.total),
  };
}

const ours = await start('idp-server.ts');
const theirs = await start('oidc-provider-server.ts');
const samples: Record<string, Sample[]> = {
  oursOpaque: [],
  theirsOpaque: [],
  oursJwt: [],
  oursTokens: [],
  theirsTokens: [],
};
const introspect = (idp: Idp, token: string) => post(idp, idp.paths.introspect, `token=${token}`);
const issue = (idp: Idp) => post(idp, idp.paths.token, 'grant_type=client_credentials&scope=read');
await introspect(ours, ours.token); // warm-up
await introspect(theirs, theirs.token);
for (let round = 0; round < rounds(3); round++) {
  samples.oursOpaque.push(await introspect(ours, ours.token));
  samples.theirsOpaque.push(await introspect(theirs, theirs.token));
  if (ours.jwt) samples.oursJwt.push(await introspect(ours, ours.jwt));
  samples.oursTokens.push(await issue(ours));
  samples.theirsTokens.push(await issue(theirs));
}
ours.child.kill();
theirs.child.kill();
const m = (name: string) => Math.round(median(samples[name].map((sample) => sample.rps)));
const cpu = (name: string) => Number(median(samples[name].map((sample) => sample.cpuPerRequest)).toFixed(1));
save({
  scenario: 'idp',
  figures: {
    'introspection of an opaque token, req/s: tokenguard': m('oursOpaque'),
    'introspection of an opaque token, req/s: oidc-provider': m('theirsOpaque'),
    'ratio tokenguard / oidc-provider (introspection)': Number(
      (m('oursOpaque') / m('theirsOpaque')).toFixed(2),
    ),
    'server CPU µs per introspection: tokenguard': cpu('oursOpaque'),
    'server CPU µs per introspection: oidc-provider': cpu('theirsOpaque'),
    'ratio of CPU cost, oidc-provider / tokenguard (introspection)': Number(
      (cpu('theirsOpaque') / cpu('oursOpaque')).toFixed(2),
    ),
    'introspection of a JWT, req/s: tokenguard (oidc-provider cannot)': samples.oursJwt.length
      ? m('oursJwt')
      : 'n/a',
    'server CPU µs per JWT introspection: tokenguard': samples.oursJwt.length ? cpu('oursJwt') : 'n/a',
    'client_credentials tokens/s: tokenguard': m('oursTokens'),
    'client_credentials tokens/s: oidc-provider': m('theirsTokens'),
    'ratio tokenguard / oidc-provider (tokens)': Number((m('oursTokens') / m('theirsTokens')).toFixed(2)),
    'server CPU µs per token: tokenguard': cpu('oursTokens'),
    'server CPU µs per token: oidc-provider': cpu('theirsTokens'),
  },
  charts: [
    {
      title: 'idp: server CPU per request (lower is better)',
      unit: 'µs',
      bars: [
        { name: 'introspection (opaque): tokenguard', value: cpu('oursOpaque') },
        { name: 'introspection (opaque): oidc-provider', value: cpu('theirsOpaque') },
        { name: 'client_credentials token: tokenguard', value: cpu('oursTokens') },
        { name: 'client_credentials token: oidc-provider', value: cpu('theirsTokens') },
      ],
    },
  ],
  notes: [
    'targets: introspection ≥ 2× oidc-provider; ≥ 5,000 tokens/s',
    'server CPU per request: the server process’s own user + system time over a round / requests answered (steadier than req/s on a shared machine)',
    `autocannon, 16 connections, ${DURATION_S} s per round, alternating IdPs; ` +
      (PINNED ? 'IdPs pinned to core 0, load generator to core 1' : 'not pinned'),
    'both IdPs authenticate the caller with client_secret_basic on every request; tokenguard uses its default SQLite store, oidc-provider its in-memory adapter',
  ],
});

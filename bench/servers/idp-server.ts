/**
 * tokenguard's IdP for the IdP benchmark, run as a child process: its default SQLite store (in a temp
 * directory), one client with client_secret_basic, opaque and JWT access tokens, the per-caller rate limit
 * off (the benchmark is one caller), access log lines off. Prints `{"url","token","jwt","client","paths"}` once listening;
 * answers an IPC message with its CPU time so far (`{"cpuMicros"}`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdp } from '../../src/idp/index.ts';
import { answerCpuStats } from '../lib.ts';

const CLIENT = { id: 'bench-client', secret: 'bench-client-secret-0123456789-0123456789' };
const idp = await createIdp({
  port: 0,
  // Access lines off, as oidc-provider writes none: the comparison is of the protocol work.
  logLevel: 'warn',
  dataDir: mkdtempSync(join(tmpdir(), 'tokenguard-bench-')),
  store: 'sqlite',
  introspection: { rateLimit: { perCaller: 0 } },
  clients: [
    { id: CLIENT.id, secret: CLIENT.secret, scopes: ['read'], tokenFormat: 'opaque' },
    { id: 'bench-jwt', secret: CLIENT.secret, scopes: ['read'], tokenFormat: 'jwt', audience: [CLIENT.id] },
  ],
});

async function token(clientId: string): Promise<string> {
  const response = await fetch(`${idp.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=read',
  });
  if (response.status !== 200) throw new Error(`token request: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

process.stdout.write(
  `${JSON.stringify({
    url: idp.url,
    token: await token(CLIENT.id),
    jwt: await token('bench-jwt'),
    client: CLIENT,
    paths: { token: '/oauth2/token', introspect: '/oauth2/introspect' },
  })}\n`,
);
// The parent asks for CPU time between rounds (IPC), to compute server CPU per request.
answerCpuStats();
// Exit cleanly on signals so `--cpu-prof` can write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    idp.close().finally(() => process.exit(0));
  });
}

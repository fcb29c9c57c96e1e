/**
 * oidc-provider (panva, OpenID Certified) as the comparison IdP of the IdP benchmark, run as a child
 * process: client_credentials with opaque access tokens, introspection and revocation enabled, its default
 * in-memory adapter. Prints `{"url","token","client":{id,secret}}` once listening; answers an IPC
 * message with its CPU time so far (`{"cpuMicros"}`).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { answerCpuStats } from '../lib.ts';

const CLIENT = { id: 'bench-client', secret: 'bench-client-secret-0123456789-0123456789' };
let handler: ReturnType<Provider['callback']> | undefined;
const server = createServer((request, response) => handler?.(request, response));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const provider = new Provider(url, {
  jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' }] },
  clients: [
    {
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'read',
    },
  ],
  scopes: ['read'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: false },
  },
});
handler = provider.callback();
const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
const answer = await fetch(`${url}/token`, {
  method: 'POST',
  headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=read',
});
const { access_token: token } = (await answer.json()) as { access_token: string };
process.stdout.write(
  `${JSON.stringify({ url, token, client: CLIENT, paths: { token: '/token', introspect: '/token/introspection' } })}\n`,
);
// The parent asks for CPU time between rounds (IPC), to compute server CPU per request.
answerCpuStats();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));

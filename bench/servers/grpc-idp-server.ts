/**
 * @module bench/servers/grpc-idp-server
 * tokenguard's IdP for the gRPC-vs-HTTP benchmark, run as a child process: HTTP and the gRPC service
 * (`idp.grpc`, port 0) over one default SQLite store (in a temp directory), seed 000's `admin2` client
 * (its policy added by introspection, so every answer carries an access policy) and static introspection
 * token, the per-caller rate limit off (the benchmark is one caller), access lines off. Prints
 * `{"url","grpcAddress","introspectPath","introspector","token"}` once both listen.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdp } from '../../src/idp/index.ts';

const INTROSPECTOR = 'access-token-with-introspection-permission';
const ADMIN2 = { id: 'admin2', secret: 'admin2-pwd' };

const idp = await createIdp({
  port: 0,
  // Access lines off on both protocols: the comparison is of the transports, not of logging.
  logLevel: 'warn',
  dataDir: mkdtempSync(join(tmpdir(), 'tokenguard-bench-grpc-')),
  introspection: {
    staticTokens: [{ token: INTROSPECTOR, name: 'bench' }],
    rateLimit: { perCaller: 0 },
  },
  clients: [
    { id: ADMIN2.id, secret: ADMIN2.secret, introspectionPolicies: [{ rn: 'my_service', role: 'admin' }] },
  ],
  grpc: { enabled: true, port: 0 },
});

// Seed 000's token request: Basic credentials at the authkit token endpoint, no grant_type.
const response = await fetch(`${idp.url}/idp/token`, {
  method: 'POST',
  headers: { authorization: `Basic ${Buffer.from(`${ADMIN2.id}:${ADMIN2.secret}`).toString('base64')}` },
});
if (response.status !== 200) throw new Error(`token request: ${response.status} ${await response.text()}`);
const { access_token: token } = (await response.json()) as { access_token: string };

process.stdout.write(
  `${JSON.stringify({
    url: idp.url,
    grpcAddress: idp.grpcAddress,
    introspectPath: '/idp/introspect_token',
    introspector: INTROSPECTOR,
    token,
  })}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    idp.close().finally(() => process.exit(0));
  });
}

/**
 * A server for the middleware benchmark, run as a child process: `--framework http|express|fastify`
 * `--mode plain|noop|auth|sha256` (noop: a middleware that does nothing, to show the framework's own cost of
 * one; sha256, node:http only: the plain handler plus the token's SHA-256 as the cache key takes it, to
 * show that one call's share of what authentication adds).
 * Prints `{"port":…,"token":…}` on stdout once listening. In `auth` mode every request is authenticated
 * (a cache hit: the cache is filled before listening) and authorized by role.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import express from 'express';
import Fastify from 'fastify';
import { authenticate } from '../../src/adapters/express.ts';
import { tokenguard } from '../../src/adapters/fastify.ts';
import { protect } from '../../src/adapters/node-http.ts';
import { requireRole } from '../../src/authz/roles.ts';
import { tokenDigest } from '../../src/cache/key.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import { startStubIdp } from '../../test/support/stub-idp.ts';

const { values } = parseArgs({ options: { framework: { type: 'string' }, mode: { type: 'string' } } });
const idp = await startStubIdp();
idp.extraClaims.set('svc', { scope: [{ rn: 'my_service', role: 'admin' }] });
const token = await idp.sign({ sub: 'svc' });
const auth = createAuthenticator({
  config: {
    introspection: { endpoint: `${idp.url}/introspect`, clientAuth: { accessToken: 'introspector' } },
  },
});
const authorize = requireRole({ namespace: 'my_service', role: 'admin' });
// Every mode starts alike: one introspection (it fills the cache for `auth`), then a wait until its
// keep-alive connections have closed (node's server closes idle ones after 5 s). Closing them runs node's
// stream code on sockets of another shape and deoptimizes it; in a server that had only just started
// answering, that happened in `auth` mode alone and during the measured rounds (seen with --trace-deopt).
await auth.check({ headers: { authorization: `Bearer ${token}` } });
await new Promise((resolve) => setTimeout(resolve, 5_500));
const secured = values.mode === 'auth';
let port = 0;
let requests = 0;

if (values.framework === 'express') {
  const app = express();
  if (secured) app.use(authenticate(auth, { authorize }));
  if (values.mode === 'noop') app.use((_req, _res, next) => next());
  app.get('/', (_req, res) => {
    res.send('Hello');
  });
  const server = app.listen(0, '127.0.0.1');
  server.on('request', () => requests++);
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
} else if (values.framework === 'fastify') {
  const app = Fastify();
  if (secured) await app.register(tokenguard, { authenticator: auth });
  if (values.mode === 'noop') app.addHook('preHandler', (_request, _reply, done) => done());
  app.get('/', { config: { authorize } }, async () => 'Hello');
  await app.listen({ port: 0, host: '127.0.0.1' });
  app.server.on('request', () => requests++);
  port = (app.server.address() as AddressInfo).port;
} else {
  type Handler = (req: IncomingMessage, res: { end(body: string): void }) => void;
  const hello: Handler = (_req, res) => res.end('Hello');
  const handlers: Record<string, Handler> = {
    noop: (req, res) => hello(req, res),
    sha256: (req, res) => {
      // Checked, so the call has a use and stays (the check never fails: a digest is 43 characters).
      if (tokenDigest(req.headers.authorization?.slice(7) ?? '').length !== 43) throw new Error('digest');
      hello(req, res);
    },
  };
  const server = createServer(
    secured ? protect(auth, hello, { authorize }) : (handlers[values.mode ?? ''] ?? hello),
  );
  server.on('request', () => requests++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
}
process.stdout.write(`${JSON.stringify({ port, token })}\n`);

// The parent asks for CPU time and request count between rounds (IPC), to compute server CPU per request.
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuMicros: user + system, requests });
});
// Exit cleanly on signals so `--cpu-prof` can write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));

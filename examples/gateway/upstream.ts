/**
 * The upstream service of the gateway example (`node examples/gateway/upstream.ts [--port 8090]`): seed
 * 000's service with the authentication taken out. It trusts the identity headers the gateway sets
 * (`X-User-Id`), answers `Hello, <user>` on `/` and `Hi, <user>` on `/admin`, and `/headers` echoes the
 * request headers it received as JSON (to see what the gateway forwards, and what it removed). It must only
 * be reachable through the gateway: anyone who can reach it directly can claim to be anybody.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8090' } } });

const server = createServer((request, response) => {
  const user = request.headers['x-user-id'] ?? 'anonymous';
  const path = new URL(request.url ?? '/', 'http://upstream').pathname;
  if (path === '/headers') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(request.headers));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(path.startsWith('/admin') ? `Hi, ${user}` : `Hello, ${user}`);
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`gateway example upstream: listening on http://127.0.0.1:${port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

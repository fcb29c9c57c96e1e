/**
 * The floor the gateway benchmark compares against: a bare reverse proxy in Node, node:http in front of an
 * undici `Pool` (`request()`, both bodies streamed), hop-by-hop headers dropped, nothing else: no routes,
 * no auth, no limits, no logs, no metrics (~30 lines). `--upstream <url>`; prints `{"url"}` once listening.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';
import { announce, serveParent } from './gateway-child.ts';

const { values } = parseArgs({ options: { upstream: { type: 'string', default: '' } } });
// As many keep-alive connections as the gateway's default (`upstream.connections`).
const pool = new Pool(values.upstream, { connections: 64 });
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

const server = createServer((request, response) => {
  const hasBody =
    request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
  pool
    .request({
      path: request.url ?? '/',
      method: request.method as Dispatcher.HttpMethod,
      headers: endToEnd(request.headers) as Record<string, string>,
      body: hasBody ? request : null,
    })
    .then(({ statusCode, headers, body }) => {
      response.writeHead(statusCode, endToEnd(headers));
      body.on('error', () => response.destroy()).pipe(response);
    })
    .catch(() => {
      response.statusCode = 502;
      response.end();
    });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
announce(server);
serveParent(() => pool.close());

/**
 * The upstream of the gateway benchmark, run as a child process: the smallest node:http server (`Hello`
 * to every request), so that what the benchmark compares is the proxy in front of it. Prints `{"url"}` once
 * listening.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { announce, serveParent } from './gateway-child.ts';

const server = createServer((_request, response) => {
  response.end('Hello');
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
announce(server);
serveParent();

/**
 * The gateway of the gateway benchmark, run as a child process: `createGateway` with one catch-all route to
 * `--upstream`, whose bearer tokens are introspected at `--idp` (tokenguard's IdP, `client_secret_basic`
 * as `--client`/`--secret`) and must hold scope `read`, the subject forwarded as `X-User-Id`. With
 * `--mode public` the same configuration has the route `auth: public`. Warnings only on stderr: access
 * lines off, as the bare proxy it is compared with writes none. Prints `{"url","api"}` once listening.
 */
import { parseArgs } from 'node:util';
import { createGateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { announce, serveParent } from './gateway-child.ts';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'auth' },
    idp: { type: 'string', default: '' },
    client: { type: 'string', default: '' },
    secret: { type: 'string', default: '' },
    upstream: { type: 'string', default: '' },
  },
});
const loopback = { host: '127.0.0.1', port: 0 };
const gateway = await createGateway(
  {
    listen: loopback,
    api: loopback,
    errorDomain: 'Bench',
    authenticators: {
      idp: {
        introspection: {
          endpoint: `${values.idp}/oauth2/introspect`,
          clientAuth: { method: 'client_secret_basic', clientId: values.client, clientSecret: values.secret },
          // Room for every token of the cache-miss runs: none is evicted before its reuse would matter.
          claimsCache: { maxEntries: 200_000 },
        },
      },
    },
    routes: [
      {
        name: 'bench',
        match: { pathPrefix: '/' },
        upstream: { urls: [values.upstream] },
        auth: values.mode === 'public' ? 'public' : { scopes: ['read'] },
        forward: { headers: { 'X-User-Id': 'sub' } },
      },
    ],
  },
  { logger: createLogger({ level: 'warn', destination: process.stderr }) },
);
announce(gateway.proxyUrl, { api: gateway.apiUrl });
serveParent(() => gateway.close());

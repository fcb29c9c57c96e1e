/**
 * @module gateway/config/reference
 * The gateway's configuration reference (docs/GATEWAY-CONFIG.md), rendered from the schema with the
 * library's table renderer, so the two cannot drift. Routes and their `auth` section get tables of their
 * own; each authenticator is the library's `auth` section, documented in docs/CONFIG.md.
 */
import { referenceRows } from '../../config/reference.ts';
import { gatewaySchema, routeAuthSchema, routeSchema } from './schema.ts';

export function renderGatewayConfigReference(): string {
  const table = ['| key | type | default | description |', '| --- | --- | --- | --- |'];
  const section = (title: string, intro: string[], rows: string[]) =>
    rows.length ? [`## ${title}`, '', ...intro, ...table, ...rows, ''] : [`## ${title}`, '', ...intro];
  return [
    '# Gateway configuration reference',
    '',
    '<!-- Generated from src/gateway/config/schema.ts by `npm run docs:config`; a test fails when it is stale. -->',
    '',
    'The `gateway` section of the config file of `tokenguard gateway --config gateway.yaml` (YAML or JSON), also',
    'accepted by `createGateway(section)`. Durations are written `500ms`, `30s`, `1m` (or milliseconds), sizes',
    '`16kb`, `10mb` (or bytes). `TOKENGUARD_GATEWAY_<PATH>` environment variables override scalar keys',
    '(`TOKENGUARD_GATEWAY_LISTEN_PORT=8080`). An invalid value stops start-up (or is refused by a reload) with',
    'an error naming the key: `gateway.routes[2].upstream.urls[0]: must be an absolute http(s) URL`.',
    '',
    ...section('Listeners, limits, authenticators', [], referenceRows(gatewaySchema, 'gateway')),
    ...section(
      'Authenticators (`gateway.authenticators.<name>`)',
      [
        "Each entry is the library's `auth` section: every key of [CONFIG.md](CONFIG.md), under",
        '`gateway.authenticators.<name>.` instead of `auth.` (`errorDomain` defaults to `gateway.errorDomain`).',
        'One authenticator, with one cache, serves every route that names it.',
        '',
      ],
      [],
    ),
    ...section(
      'Routes (`gateway.routes[]`)',
      ['Tried in order; the first whose `match` fits the request wins; none: 404 `routeNotFound`.', ''],
      referenceRows(routeSchema, 'gateway.routes[]'),
    ),
    ...section(
      'Route checks (`gateway.routes[].auth`, unless `public`)',
      [
        'Every check runs on every request, cache hit or not; all must pass (403 otherwise). Without',
        '`tokenSources` the route reads tokens where its authenticator does; with it, keys not given take the',
        'defaults below.',
        '',
      ],
      referenceRows(routeAuthSchema, 'gateway.routes[].auth'),
    ),
  ].join('\n');
}

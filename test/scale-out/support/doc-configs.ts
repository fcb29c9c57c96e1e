/**
 * @module test/scale-out/support/doc-configs
 * The configurations of docs/SCALE-OUT.md, as the scale-out suite and the revocation benchmark run them: the
 * guide's ```yaml blocks (the IdP replica, the gateway on Redis, the gateway on SSE) with only their
 * addresses replaced (listeners, store URL, issuer, Redis, IdP endpoint, upstream, stream URL). Each replaced
 * key must exist in the guide's block: a guide that drops or renames one fails here instead of showing a
 * configuration nobody runs.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { codeBlocks } from '../../docs/markdown-blocks.ts';

type Json = Record<string, unknown>;

export const GUIDE = new URL('../../../docs/SCALE-OUT.md', import.meta.url);

export interface GuideConfigs {
  /** `{ idp: … }` of an IdP replica. */
  idp: Json;
  /** `{ gateway: … }` whose authenticator subscribes on Redis and caches in Redis. */
  redisGateway: Json;
  /** `{ gateway: … }` whose authenticator follows the IdP's SSE stream. */
  sseGateway: Json;
}

const authenticatorOf = (document: Json): Json => {
  const authenticators = (document.gateway as Json).authenticators as Json;
  const names = Object.keys(authenticators);
  if (names.length !== 1) throw new Error('a gateway of docs/SCALE-OUT.md has one authenticator');
  return authenticators[names[0]] as Json;
};
const sourceOf = (document: Json) => (authenticatorOf(document).revocationEvents as Json).source;

/** The YAML documents of the guide, told apart by their content. */
export function guideConfigs(): GuideConfigs {
  const documents = codeBlocks(readFileSync(GUIDE, 'utf8'))
    .filter((block) => block.lang === 'yaml')
    .map((block) => parseYaml(block.text) as Json);
  const idp = documents.filter((document) => 'idp' in document);
  const gateways = documents.filter((document) => 'gateway' in document);
  const redisGateway = gateways.filter((document) => sourceOf(document) === 'redis');
  const sseGateway = gateways.filter((document) => sourceOf(document) === 'sse');
  if (idp.length !== 1 || redisGateway.length !== 1 || sseGateway.length !== 1) {
    throw new Error('docs/SCALE-OUT.md shows one IdP, one Redis gateway and one SSE gateway configuration');
  }
  return { idp: idp[0], redisGateway: redisGateway[0], sseGateway: sseGateway[0] };
}

/** Sets `path` in `document` (a copy is the caller's business); the key must exist already. */
function replace(document: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Json = document;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) throw new Error(`docs/SCALE-OUT.md: no ${path}`);
    node = next as Json;
  }
  const last = keys.at(-1)!;
  if (!(last in node)) throw new Error(`docs/SCALE-OUT.md: no ${path}`);
  node[last] = value;
}

export interface IdpAddresses {
  store: string;
  issuer: string;
  redis: string;
}

/**
 * The guide's IdP replica with the test's addresses; `extra` adds keys (clients of the test's apps are
 * appended to the guide's clients, other keys are set as given).
 */
export function idpConfig(guide: GuideConfigs, addresses: IdpAddresses, extra: Json = {}): Json {
  const document = structuredClone(guide.idp);
  replace(document, 'idp.host', '127.0.0.1');
  replace(document, 'idp.store', addresses.store);
  replace(document, 'idp.issuer', addresses.issuer);
  replace(document, 'idp.events.redis.url', addresses.redis);
  const idp = document.idp as Json;
  for (const [key, value] of Object.entries(extra)) {
    idp[key] = key === 'clients' ? [...(idp.clients as unknown[]), ...(value as unknown[])] : value;
  }
  return document;
}

export interface GatewayAddresses {
  /** The IdP replica (its base URL) the gateway introspects at. */
  idp: string;
  upstream: string;
  /** Redis of the shared cache and of the events (Redis gateway). */
  redis?: string;
  /** Issuer and stream URL (SSE gateway). */
  sse?: { issuer: string; url: string };
}

/** A gateway of the guide (`redis` or `sse`) with the test's addresses, listening on loopback ports 0. */
export function gatewayConfig(guide: GuideConfigs, kind: 'redis' | 'sse', addresses: GatewayAddresses): Json {
  const document = structuredClone(kind === 'redis' ? guide.redisGateway : guide.sseGateway);
  const loopback = { host: '127.0.0.1', port: 0 };
  replace(document, 'gateway.listen', loopback);
  replace(document, 'gateway.api', loopback);
  const authenticator = authenticatorOf(document);
  const endpoint = new URL((authenticator.introspection as Json).endpoint as string);
  replace(authenticator, 'introspection.endpoint', `${addresses.idp}${endpoint.pathname}`);
  if (kind === 'redis') {
    if (!addresses.redis) throw new Error('a Redis gateway needs the Redis URL');
    replace(authenticator, 'sharedCache.redis.url', addresses.redis);
    replace(authenticator, 'revocationEvents.redis.url', addresses.redis);
  } else {
    if (!addresses.sse) throw new Error('an SSE gateway needs the issuer and the stream URL');
    replace(authenticator, 'revocationEvents.sse.issuer', addresses.sse.issuer);
    replace(authenticator, 'revocationEvents.sse.url', addresses.sse.url);
  }
  const routes = (document.gateway as Json).routes as Json[];
  if (routes.length !== 1) throw new Error('a gateway of docs/SCALE-OUT.md has one route');
  replace(routes[0], 'upstream.urls', [addresses.upstream]);
  return document;
}

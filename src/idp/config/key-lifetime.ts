/**
 * @module idp/config/key-lifetime
 * How long a retired signing key must stay published (RFC 7517 §5 key rollover): as long as the longest
 * access token it may have signed can live, and at least a day (the key manager's own default). The
 * server and `tokenguard idp keys rotate` must agree on it, so it is derived from the config in one place.
 */
import type { IdpConfig } from './schema.ts';

export function maxTokenLifetimeSeconds(config: IdpConfig): number {
  const ttls = [config.tokens.accessTokenTtl, ...config.clients.map((client) => client.accessTokenTtl)];
  return Math.max(86_400, ...ttls.map((ms) => Math.ceil(ms / 1000)));
}

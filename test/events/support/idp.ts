/**
 * @module test/events/support/idp
 * What the revocation-event suites share: seed 000's IdP plus clients whose tokens are opaque or JWTs and
 * come with refresh tokens (legacy password grant), a client allowed to read the event stream, a unique
 * Redis channel per test, a subscriber collecting what the IdP publishes on it, and token helpers.
 */
import { hash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseRevocationEvent } from '../../../src/events/event-json.ts';
import type { RevocationEvent } from '../../../src/events/types.ts';
import type { IdpConfigInput } from '../../../src/idp/config/schema.ts';
import { createIdp, type Idp, type IdpOptions } from '../../../src/idp/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { basic, postForm, seedConfig } from '../../idp/support/seed-idp.ts';
import { eventually } from './eventually.ts';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A channel no other test (or helper) publishes on. */
export function uniqueChannel(): string {
  return `tokenguard:test:revocations:${randomUUID()}`;
}

/** What caches key on: SHA-256 of the token string, base64url. */
export function sha256(token: string): string {
  return hash('sha256', token, 'base64url');
}

export const APPS = {
  opaque: { id: 'opaque-app', secret: 'opaque-secret' },
  jwt: { id: 'jwt-app', secret: 'jwt-secret' },
  gateway: { id: 'gateway', secret: 'gateway-secret' },
  plain: { id: 'plain-client', secret: 'plain-secret' },
} as const;

/** Seed 000's IdP with the event suites' clients and users; `overrides` replace top-level keys. */
export function startEventsIdp(overrides: IdpConfigInput = {}, options: IdpOptions = {}): Promise<Idp> {
  const seed = seedConfig();
  const refreshing = {
    grantTypes: ['client_credentials', 'password', 'refresh_token'] as const,
    scopes: ['read'],
  };
  const config = seedConfig({
    legacy: { passwordGrant: true },
    clients: [
      ...(seed.clients ?? []),
      { ...APPS.opaque, tokenFormat: 'opaque', ...refreshing, grantTypes: [...refreshing.grantTypes] },
      { ...APPS.jwt, tokenFormat: 'jwt', ...refreshing, grantTypes: [...refreshing.grantTypes] },
      { ...APPS.gateway, canIntrospect: true },
      { ...APPS.plain },
    ],
    users: [
      ...(seed.users ?? []),
      { username: 'alice', password: 'alice-pwd' },
      { username: 'bob', password: 'bob-pwd' },
    ],
    ...overrides,
  });
  return createIdp(config, { logger: silentLogger, ...options });
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
}

/** Tokens of `app` (client credentials, or the password grant of `user` with a refresh token). */
export async function tokensOf(
  idp: Idp,
  app: { id: string; secret: string },
  user?: string,
): Promise<Tokens> {
  const form: Record<string, string> = user
    ? { grant_type: 'password', username: user, password: `${user}-pwd`, scope: 'read' }
    : { grant_type: 'client_credentials' };
  const answer = await postForm(`${idp.url}/oauth2/token`, form, {
    authorization: basic(app.id, app.secret),
  });
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.status} ${answer.text}`);
  return answer.json() as unknown as Tokens;
}

/** RFC 7009 revocation by the token's client. */
export async function revoke(idp: Idp, app: { id: string; secret: string }, token: string): Promise<void> {
  const answer = await postForm(
    `${idp.url}/oauth2/revoke`,
    { token },
    { authorization: basic(app.id, app.secret) },
  );
  if (answer.status !== 200) throw new Error(`revocation failed: ${answer.status} ${answer.text}`);
}

/** A refresh-token exchange; resolves with the HTTP status and body. */
export async function refresh(idp: Idp, app: { id: string; secret: string }, refreshToken: string) {
  return postForm(
    `${idp.url}/oauth2/token`,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    { authorization: basic(app.id, app.secret) },
  );
}

/** Subscribes to `channel` and collects the events published on it. */
export class RedisCollector {
  readonly events: RevocationEvent[] = [];
  readonly #client: Redis;

  private constructor(client: Redis) {
    this.#client = client;
  }

  static async start(channel: string): Promise<RedisCollector> {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    const collector = new RedisCollector(client);
    client.on('message', (_channel: string, message: string) => {
      const event = parseRevocationEvent(message);
      if (!event) throw new Error(`unreadable event on the channel: ${message}`);
      collector.events.push(event);
    });
    await client.connect();
    await client.subscribe(channel);
    return collector;
  }

  #read = 0;

  /** Waits for the next event not returned yet. */
  async next(): Promise<RevocationEvent> {
    const event = await eventually(
      `revocation event #${this.#read + 1} on Redis`,
      () => this.events[this.#read],
    );
    this.#read++;
    return event;
  }

  /** Waits until `count` events beyond those returned have arrived, and returns them. */
  async take(count: number): Promise<RevocationEvent[]> {
    const events: RevocationEvent[] = [];
    for (let i = 0; i < count; i++) events.push(await this.next());
    return events;
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}

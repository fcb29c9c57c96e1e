/**
 * @module idp/tokens/test-support/fixtures
 * A token service over a real `MemoryStore` with an injected clock, and the parties of seed 000's test IdP
 * (users `user`, `admin`, `admin2`, the static introspection token), for the token and key tests.
 */

import { KeyManager } from '../../keys/key-manager.ts';
import type { Client, Tenant, User } from '../../model.ts';
import { MemoryStore } from '../../store/memory-store.ts';
import type { IntrospectionPolicy } from '../caller-policy.ts';
import { DefaultTokenService } from '../token-service.ts';
import type { Caller, Realm } from '../types.ts';

/** Seed 000's test IdP. */
export const AUTHKIT_REALM: Realm = {
  tenant: 'default',
  issuer: 'http://127.0.0.1:8081',
  claimStyle: 'authkit',
};
export const RFC9068_REALM: Realm = {
  tenant: 'default',
  issuer: 'https://idp.example/oauth2',
  claimStyle: 'rfc9068',
};

export const START = 1_728_291_269;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ADMIN_POLICY = { rn: 'my_service', role: 'admin' };

export function makeTenant(id: string, allowCrossTenantIntrospection = false): Tenant {
  return { id, displayName: id, allowCrossTenantIntrospection, createdAt: START };
}

export function makeClient(overrides: Partial<Client> = {}): Client {
  return {
    tenant: 'default',
    clientId: 'app',
    name: 'app',
    description: '',
    authMethods: ['client_secret_basic'],
    grantTypes: ['client_credentials', 'refresh_token'],
    scopes: ['read', 'write'],
    audience: [],
    tokenFormat: 'jwt',
    accessTokenTtl: 3600,
    refreshTokenTtl: 86_400,
    policies: [],
    introspectionPolicies: [],
    permissions: [],
    canIntrospect: false,
    disabled: false,
    createdAt: START,
    ...overrides,
  };
}

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    tenant: 'default',
    username: 'user',
    // Never checked here: password verification is the endpoints' job.
    passwordHash: 'scrypt:16384:8:1:c2FsdA:AAAA',
    policies: [],
    introspectionPolicies: [],
    permissions: [],
    canIntrospect: false,
    admin: false,
    disabled: false,
    createdAt: START,
    ...overrides,
  };
}

/** The caller of seed 000's introspection requests: `Bearer access-token-with-introspection-permission`. */
export const staticCaller = (tenant = 'default'): Caller => ({
  kind: 'static',
  name: 'access-token-with-introspection-permission',
  tenant,
});
export const STATIC_CALLER = staticCaller();

export const clientCaller = (client: Client, method = 'client_secret_basic'): Caller => ({
  kind: 'client',
  client,
  method,
});

export interface Fixture {
  store: MemoryStore;
  keys: KeyManager;
  service: DefaultTokenService;
  /** The injected clock, epoch seconds; tests move it. */
  clock: { now: number };
  /** Stores and returns the client. */
  client(overrides?: Partial<Client>): Promise<Client>;
  user(overrides?: Partial<User>): Promise<User>;
}

export async function setup(options: { introspectionPolicy?: IntrospectionPolicy } = {}): Promise<Fixture> {
  const store = new MemoryStore();
  const clock = { now: START };
  const now = () => clock.now;
  const keys = new KeyManager({ store, now, maxTokenLifetime: 3600 });
  const service = new DefaultTokenService({
    store,
    keys,
    now,
    introspectionPolicy: options.introspectionPolicy,
  });
  await store.tenants.put(makeTenant('default'));
  return {
    store,
    keys,
    service,
    clock,
    async client(overrides) {
      const client = makeClient(overrides);
      await store.clients.put(client);
      return client;
    },
    async user(overrides) {
      const user = makeUser(overrides);
      await store.users.put(user);
      return user;
    },
  };
}

/** The decoded JSON text of a compact JWS's header and payload, byte for byte. */
export function jwsSegments(jws: string): { header: string; payload: string } {
  const [header, payload] = jws.split('.');
  return {
    header: Buffer.from(header, 'base64url').toString('utf8'),
    payload: Buffer.from(payload, 'base64url').toString('utf8'),
  };
}

/**
 * @module idp/store/test-support/records
 * Sample records for store tests. Every field is set, optional ones included, with values a store could
 * mangle (nested arrays of objects, JWKs, empty strings and arrays, `false`, zero, non-ASCII text), so a
 * round trip that drops or converts anything shows. The key material is random bytes, not real keys.
 * `without` makes the variant with optional fields absent.
 */
import type { Client, SigningKey, StoredToken, Tenant, User } from '../../model.ts';

/** Epoch seconds all samples are relative to. */
export const NOW = 1_760_000_000;

export function sampleTenant(id: string, overrides: Partial<Tenant> = {}): Tenant {
  return {
    id,
    displayName: `Tenant ${id} — Zürich`,
    allowCrossTenantIntrospection: false,
    createdAt: NOW,
    ...overrides,
  };
}

export function sampleClient(tenant: string, clientId: string, overrides: Partial<Client> = {}): Client {
  return {
    tenant,
    clientId,
    name: `client ${clientId}`,
    description: '',
    secretHash: 'sha256:c2FsdA:ZGlnZXN0',
    authMethods: ['client_secret_basic', 'private_key_jwt'],
    jwks: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'R5238S8jg84ID6_uWmhp9tocMwGQRIpfe-1zfBwn42w',
          y: '3De31WxS_a2KRPwu1-xJGKO3EITWLTBQaz139QZ4l20',
          kid: 'k1',
        },
      ],
    },
    tlsSubjectDn: 'CN=rs.example.com,O=Example',
    grantTypes: ['client_credentials', 'refresh_token'],
    scopes: ['read', 'write'],
    audience: [],
    tokenFormat: 'jwt',
    accessTokenTtl: 300,
    refreshTokenTtl: 0,
    policies: [{ tid: tenant, rn: 'my_service', rp: '/orders', role: 'admin' }, { role: 'reader' }],
    introspectionPolicies: [],
    permissions: [
      { rsid: 'r1', rsname: 'orders', scopes: ['view', 'edit'], extra: { nested: [1, null, 'x'] } },
    ],
    canIntrospect: false,
    disabled: false,
    createdAt: NOW,
    ...overrides,
  };
}

export function sampleUser(tenant: string, username: string, overrides: Partial<User> = {}): User {
  return {
    tenant,
    username,
    passwordHash: 'scrypt:16384:8:1:c2FsdA:ZGlnZXN0',
    policies: [{ tid: tenant, role: 'user' }],
    introspectionPolicies: [{ rs: 'introspection', role: 'caller' }],
    permissions: [],
    canIntrospect: true,
    admin: false,
    disabled: false,
    createdAt: NOW,
    ...overrides,
  };
}

export function sampleToken(tenant: string, id: string, overrides: Partial<StoredToken> = {}): StoredToken {
  return {
    tenant,
    id,
    kind: 'refresh',
    format: 'opaque',
    clientId: 'app',
    subject: 'alice',
    scope: 'read write',
    audience: ['https://api.example.com'],
    issuer: `https://idp.example.com/t/${tenant}`,
    issuedAt: NOW,
    expiresAt: NOW + 3600,
    parentId: `parent-of-${id}`,
    familyId: `family-of-${id}`,
    revokedAt: NOW + 10,
    consumedAt: NOW + 5,
    claims: { scope: [{ rn: 'my_service', role: 'admin' }], jti: id, nested: { deep: [true, 0, ''] } },
    ...overrides,
  };
}

/** A token that is neither revoked nor consumed and has no parent: the shape of a newly issued one. */
export function freshToken(tenant: string, id: string, overrides: Partial<StoredToken> = {}): StoredToken {
  return { ...without(sampleToken(tenant, id), 'parentId', 'revokedAt', 'consumedAt'), ...overrides };
}

export function sampleKey(tenant: string, kid: string, overrides: Partial<SigningKey> = {}): SigningKey {
  const publicJwk = {
    kty: 'OKP',
    crv: 'Ed25519',
    x: 'gag2egfW21Owqupo2WaekDaomywTKG19u4rpzpuM1lc',
    kid,
    alg: 'EdDSA',
    use: 'sig',
  };
  return {
    tenant,
    kid,
    alg: 'EdDSA',
    privateJwk: { ...publicJwk, d: 'k42QC98rluI3sQ8Q6qp4LoExVjn1nLzaHGa0ck8hprw' },
    publicJwk,
    createdAt: NOW,
    retiredAt: NOW + 86_400,
    publishUntil: NOW + 90_000,
    ...overrides,
  };
}

/** A copy of `record` without the named (optional) fields: absent, not `undefined`. */
export function without<T extends object, K extends keyof T>(record: T, ...fields: K[]): T {
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}

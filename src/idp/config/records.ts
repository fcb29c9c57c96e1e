/**
 * @module idp/config/records
 * Turning declarations (config file entries, CLI options) into store records. Secrets and passwords are
 * hashed here and nowhere else (`idp/secrets`). An existing record's hash is kept when the declared secret
 * still matches it, so applying the same config twice changes nothing: declarations are idempotent.
 */
import type { JWK } from 'jose';
import type { Client, ClientAuthMethod, Tenant, User } from '../model.ts';
import { hashPassword, hashSecret, verifyPassword, verifySecret } from '../secrets.ts';
import type { ClientDeclaration, IdpConfig, TenantDeclaration, UserDeclaration } from './schema.ts';

const seconds = (ms: number) => Math.round(ms / 1000);

/** The methods a client's credentials allow, when its declaration lists none. */
function defaultAuthMethods(client: ClientDeclaration): ClientAuthMethod[] {
  const methods: ClientAuthMethod[] = [];
  if (client.secret) methods.push('client_secret_basic', 'client_secret_post');
  if (client.jwks) methods.push('private_key_jwt');
  if (client.tlsSubjectDn) methods.push('tls_client_auth');
  return methods;
}

export function tenantRecord(
  declaration: TenantDeclaration,
  existing: Tenant | undefined,
  now: number,
): Tenant {
  return {
    id: declaration.id,
    displayName: declaration.displayName || declaration.id,
    allowCrossTenantIntrospection: declaration.allowCrossTenantIntrospection,
    createdAt: existing?.createdAt ?? now,
  };
}

export function clientRecord(
  declaration: ClientDeclaration,
  tokens: IdpConfig['tokens'],
  existing: Client | undefined,
  now: number,
): Client {
  const secretHash =
    declaration.secret === undefined
      ? undefined
      : existing?.secretHash && verifySecret(declaration.secret, existing.secretHash)
        ? existing.secretHash
        : hashSecret(declaration.secret);
  const refreshable = declaration.grantTypes.includes('refresh_token');
  return {
    tenant: declaration.tenant,
    clientId: declaration.id,
    name: declaration.name || declaration.id,
    description: declaration.description,
    secretHash,
    authMethods: declaration.public
      ? ['none']
      : declaration.authMethods.length
        ? declaration.authMethods
        : defaultAuthMethods(declaration),
    jwks: declaration.jwks as { keys: JWK[] } | undefined,
    tlsSubjectDn: declaration.tlsSubjectDn,
    grantTypes: declaration.grantTypes,
    scopes: declaration.scopes,
    audience: declaration.audience,
    tokenFormat: declaration.tokenFormat ?? tokens.format,
    accessTokenTtl: seconds(declaration.accessTokenTtl || tokens.accessTokenTtl),
    // RFC 6749 §4.4.3: client_credentials gets no refresh token; only clients with the grant have a lifetime.
    refreshTokenTtl: refreshable ? seconds(declaration.refreshTokenTtl || tokens.refreshTokenTtl) : 0,
    policies: declaration.policies,
    introspectionPolicies: declaration.introspectionPolicies,
    permissions: declaration.permissions,
    canIntrospect: declaration.canIntrospect,
    disabled: declaration.disabled,
    createdAt: existing?.createdAt ?? now,
    ...browserFields(declaration),
  };
}

/** The authorization_code members, only when declared (records of other clients stay as they were). */
function browserFields(declaration: ClientDeclaration): Partial<Client> {
  const fields: Partial<Client> = {};
  if (declaration.redirectUris.length) fields.redirectUris = declaration.redirectUris;
  if (declaration.postLogoutRedirectUris.length)
    fields.postLogoutRedirectUris = declaration.postLogoutRedirectUris;
  if (declaration.firstParty) fields.firstParty = true;
  return fields;
}

export async function userRecord(
  declaration: UserDeclaration,
  existing: User | undefined,
  now: number,
): Promise<User> {
  const passwordHash =
    existing && (await verifyPassword(declaration.password, existing.passwordHash))
      ? existing.passwordHash
      : await hashPassword(declaration.password);
  return {
    tenant: declaration.tenant,
    username: declaration.username,
    passwordHash,
    policies: declaration.policies,
    introspectionPolicies: declaration.introspectionPolicies,
    permissions: declaration.permissions,
    canIntrospect: declaration.canIntrospect,
    admin: declaration.admin,
    disabled: declaration.disabled,
    createdAt: existing?.createdAt ?? now,
    ...(declaration.name ? { name: declaration.name } : {}),
    ...(declaration.email ? { email: declaration.email } : {}),
  };
}

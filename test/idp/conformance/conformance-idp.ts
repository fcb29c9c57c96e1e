/**
 * @module test/idp/conformance/conformance-idp
 * What the RFC checklist suites (idp-standards.md §1.10) share: the seed IdP of `../support/seed-idp`
 * (memory store, port 0, real HTTP) extended with the clients the checklist rows need, the endpoint paths
 * of the three profiles, and small helpers for tokens, introspection, private_key_jwt assertions and
 * capturing the log. Starting the IdP and posting forms stay in the shared seed helper.
 *
 * Clients (all of the default tenant):
 * - `owner`: JWT tokens with scopes `read write`, `aud` = `resource-api` (a resource server);
 * - `opaque-owner`: the same with opaque tokens;
 * - `resource-api`: named in those tokens' `aud`, no other permission;
 * - `stranger`: neither owner, nor audience, nor allowed to introspect;
 * - `introspector`: `canIntrospect` (explicit introspection permission);
 * - `short-jwt` / `short-opaque`: access tokens living 2 s;
 * - `legacy`: password + refresh_token grants (user `alice`), for refresh tokens;
 * - `pkjwt`: private_key_jwt with an RS256 key (`PKJWT_KEY`);
 * - `uma`: Keycloak UMA permissions (an extension member of introspection answers);
 * - `owner` of the tenant `foo.com` (`FOREIGN_OWNER`): same id, other tenant, other signing key.
 * Secrets are long and distinctive so that a scan of the log for them cannot match by accident.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { IdpConfigInput } from '../../../src/idp/config/schema.ts';
import { createIdp, type Idp } from '../../../src/idp/server.ts';
import { createLogger, type Logger, silentLogger } from '../../../src/observability/logger.ts';
import { type Answer, basic, postForm, seedConfig } from '../support/seed-idp.ts';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const INTROSPECTION_JWT = 'application/token-introspection+jwt';
/** The exact body of an inactive answer (RFC 7662 §2.2). */
export const INACTIVE = '{"active":false}';

export const SECRETS = {
  owner: 'owner-secret-5f1d0c7e9a',
  'opaque-owner': 'opaque-owner-secret-83b2e4',
  'resource-api': 'resource-api-secret-2c6a91',
  stranger: 'stranger-secret-d407bb13',
  introspector: 'introspector-secret-9e55f0',
  'short-jwt': 'short-jwt-secret-41aa7c',
  'short-opaque': 'short-opaque-secret-0b93de',
  legacy: 'legacy-secret-6ad2f8c1',
  uma: 'uma-secret-c1e07d2a',
} as const;
export type SecretClient = keyof typeof SECRETS;

export const ALICE = { username: 'alice', password: 'alice-password-7e0c2b91' };

/** A client of the tenant `foo.com` with the same id as the default tenant's `owner` (JWT tokens). */
export const FOREIGN_OWNER = { id: 'owner', tenant: 'foo.com', secret: 'foreign-owner-secret-57ab90' };

/** Keycloak UMA permission of the `uma` client (returned for `token_type_hint=requesting_party_token`). */
export const UMA_PERMISSION = { resource_id: '90ccc6fc', resource_name: 'Hello World Resource' };

/** The private_key_jwt client's key pair (RS256, RFC 7518 §3.1 mandatory to implement). */
export const PKJWT_KEY = await generateKeyPair('RS256');
const PKJWT_KID = 'pkjwt-key-1';

export interface ProfilePaths {
  name: 'standard' | 'keycloak' | 'authkit';
  /** Path of the default tenant's issuer identifier below the base URL. */
  issuerPath: string;
  token: string;
  introspect: string;
  /** go-authkit's test IdP has no revocation endpoint. */
  revoke?: string;
  jwks: string;
}

export const STANDARD: ProfilePaths = {
  name: 'standard',
  issuerPath: '',
  token: '/oauth2/token',
  introspect: '/oauth2/introspect',
  revoke: '/oauth2/revoke',
  jwks: '/oauth2/jwks',
};

export const KEYCLOAK: ProfilePaths = {
  name: 'keycloak',
  issuerPath: '/realms/default',
  token: '/realms/default/protocol/openid-connect/token',
  introspect: '/realms/default/protocol/openid-connect/token/introspect',
  revoke: '/realms/default/protocol/openid-connect/revoke',
  jwks: '/realms/default/protocol/openid-connect/certs',
};

export const AUTHKIT: ProfilePaths = {
  name: 'authkit',
  issuerPath: '',
  token: '/idp/token',
  introspect: '/idp/introspect_token',
  jwks: '/idp/keys',
};

export const PROFILES: readonly ProfilePaths[] = [STANDARD, KEYCLOAK, AUTHKIT];
/** The profiles with a revocation endpoint. */
export const REVOKING_PROFILES: readonly ProfilePaths[] = [STANDARD, KEYCLOAK];

export function issuerOf(idp: Idp, profile: ProfilePaths): string {
  return `${idp.issuer}${profile.issuerPath}`;
}

/** `Authorization: Basic` of one of the conformance clients. */
export function auth(client: SecretClient): Record<string, string> {
  return { authorization: basic(client, SECRETS[client]) };
}

/** The seed config plus the conformance clients and user; `overrides` replace top-level keys. */
export async function conformanceConfig(overrides: IdpConfigInput = {}): Promise<IdpConfigInput> {
  const seed = seedConfig();
  const publicJwk = { ...(await exportJWK(PKJWT_KEY.publicKey)), kid: PKJWT_KID, alg: 'RS256' };
  const audience = ['resource-api'];
  return {
    ...seed,
    legacy: { passwordGrant: true },
    clients: [
      ...(seed.clients ?? []),
      { id: 'owner', secret: SECRETS.owner, scopes: ['read', 'write'], audience },
      {
        id: 'opaque-owner',
        secret: SECRETS['opaque-owner'],
        tokenFormat: 'opaque',
        scopes: ['read', 'write'],
        audience,
      },
      { id: 'resource-api', secret: SECRETS['resource-api'] },
      { id: 'stranger', secret: SECRETS.stranger },
      { id: 'introspector', secret: SECRETS.introspector, canIntrospect: true },
      { id: 'short-jwt', secret: SECRETS['short-jwt'], accessTokenTtl: '2s' },
      { id: 'short-opaque', secret: SECRETS['short-opaque'], tokenFormat: 'opaque', accessTokenTtl: '2s' },
      {
        id: 'legacy',
        secret: SECRETS.legacy,
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read'],
      },
      { id: 'pkjwt', jwks: { keys: [publicJwk] }, scopes: ['read'] },
      { id: 'uma', secret: SECRETS.uma, permissions: [UMA_PERMISSION] },
      { ...FOREIGN_OWNER, tokenFormat: 'jwt' },
    ],
    users: [...(seed.users ?? []), { username: ALICE.username, password: ALICE.password }],
    ...overrides,
  };
}

/** The conformance IdP: the real server, in-process, memory store, 127.0.0.1 port 0. */
export async function startConformanceIdp(
  overrides: IdpConfigInput = {},
  logger: Logger = silentLogger,
): Promise<Idp> {
  return createIdp(await conformanceConfig(overrides), { logger });
}

/** A pino logger (the IdP's own factory) writing every line, at every level, into `lines`. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), lines };
}

/** A client_credentials token response of `client` at `profile`'s token endpoint (asserted 200). */
export async function tokenResponse(
  idp: Idp,
  client: SecretClient,
  options: { profile?: ProfilePaths; scope?: string } = {},
): Promise<Answer> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (options.scope) form.scope = options.scope;
  const answer = await postForm(`${idp.url}${(options.profile ?? STANDARD).token}`, form, auth(client));
  assert.equal(answer.status, 200, answer.text);
  return answer;
}

/** A client_credentials access token of `client`. */
export async function accessToken(
  idp: Idp,
  client: SecretClient,
  options: { profile?: ProfilePaths; scope?: string } = {},
): Promise<string> {
  return (await tokenResponse(idp, client, options)).json().access_token as string;
}

/** Access and refresh token of `alice` via the legacy client (password grant). */
export async function userTokens(
  idp: Idp,
  profile: ProfilePaths = STANDARD,
): Promise<{ access: string; refresh: string }> {
  const answer = await postForm(
    `${idp.url}${profile.token}`,
    { grant_type: 'password', username: ALICE.username, password: ALICE.password },
    auth('legacy'),
  );
  assert.equal(answer.status, 200, answer.text);
  const body = answer.json();
  assert.equal(typeof body.refresh_token, 'string', 'a refresh token');
  return { access: body.access_token as string, refresh: body.refresh_token as string };
}

/** Rotates `refresh` (RFC 6749 §6); the new pair. */
export async function refreshTokens(
  idp: Idp,
  refresh: string,
  profile: ProfilePaths = STANDARD,
): Promise<{ access: string; refresh: string }> {
  const answer = await postForm(
    `${idp.url}${profile.token}`,
    { grant_type: 'refresh_token', refresh_token: refresh },
    auth('legacy'),
  );
  assert.equal(answer.status, 200, answer.text);
  const body = answer.json();
  return { access: body.access_token as string, refresh: body.refresh_token as string };
}

/** POSTs `token` (and `extra` parameters) to `profile`'s introspection endpoint. */
export function introspect(
  idp: Idp,
  profile: ProfilePaths,
  token: string,
  headers: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<Answer> {
  return postForm(`${idp.url}${profile.introspect}`, { token, ...extra }, headers);
}

/** POSTs `token` to `profile`'s revocation endpoint. */
export function revoke(
  idp: Idp,
  profile: ProfilePaths,
  token: string,
  headers: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<Answer> {
  assert.ok(profile.revoke, `${profile.name} has a revocation endpoint`);
  return postForm(`${idp.url}${profile.revoke}`, { token, ...extra }, headers);
}

/** Introspects `token` as `caller` at every profile and expects the raw body `{"active":false}`. */
export async function expectInactiveEverywhere(
  idp: Idp,
  token: string,
  caller: Record<string, string>,
  label: string,
): Promise<void> {
  for (const profile of PROFILES) {
    const answer = await introspect(idp, profile, token, caller);
    assert.equal(answer.status, 200, `${label} at ${profile.name}: ${answer.text}`);
    assert.equal(answer.text, INACTIVE, `${label} at ${profile.name}`);
  }
}

/** Whether `token` introspects as active for `caller` at `profile`. */
export async function isActive(
  idp: Idp,
  token: string,
  caller: Record<string, string>,
  profile: ProfilePaths = STANDARD,
): Promise<boolean> {
  const answer = await introspect(idp, profile, token, caller);
  assert.equal(answer.status, 200, answer.text);
  return answer.json().active === true;
}

/** A private_key_jwt client assertion (RFC 7523 §3) of `pkjwt` for `aud`; `claims` override. */
export function pkjwtAssertion(
  aud: string | string[],
  claims: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: PKJWT_KID })
    .setIssuer('pkjwt')
    .setSubject('pkjwt')
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(PKJWT_KEY.privateKey);
}

/** The form members of client authentication by `assertion`. */
export function withAssertion(assertion: string): Record<string, string> {
  return { client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
}

/** Resolves after `ms` milliseconds (token expiry; never a timing assertion). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

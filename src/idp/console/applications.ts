/**
 * @module idp/console/applications
 * Applications (OAuth clients, WSO2's "service providers") as the console manages them: search, register,
 * edit, rotate the secret, disable or enable, delete. Seed 002's flow: an administrator enters a name,
 * optionally a description, the OAuth configuration with its callback URL, and is then shown the client
 * key and secret once.
 *
 * Register and edit go through the declaration schema and record builder the config file and
 * `tokenguard idp clients add` use (`clientSchema`, `clientRecord`), so a console-made client is the same
 * record. Secrets are 256-bit random values (`randomToken`, like the CLI's), stored only as their salted
 * digest (`hashSecret`); the plain secret exists in the one response that shows it and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { clientRecord } from '../config/records.ts';
import { type ClientDeclaration, clientSchema, type IdpConfig } from '../config/schema.ts';
import type { Client } from '../model.ts';
import { hashSecret, randomToken } from '../secrets.ts';
import type { IdpStore } from '../store/types.ts';
import {
  checked,
  type FieldProblem,
  type FormResult,
  lines,
  parsePolicies,
  text,
  validate,
  words,
} from './form-values.ts';

/** Form field of each declaration key (for messages beside the right field). */
const FIELDS: Readonly<Record<string, string>> = {
  id: 'client_id',
  name: 'name',
  description: 'description',
  grantTypes: 'grant_types',
  redirectUris: 'redirect_uris',
  scopes: 'scopes',
  tokenFormat: 'token_format',
  accessTokenTtl: 'access_token_ttl',
  policies: 'policies',
  canIntrospect: 'can_introspect',
};

/** What the register and edit forms carry, as declaration members. */
export type ApplicationInput = Pick<
  ClientDeclaration,
  | 'name'
  | 'description'
  | 'grantTypes'
  | 'redirectUris'
  | 'scopes'
  | 'tokenFormat'
  | 'accessTokenTtl'
  | 'policies'
  | 'canIntrospect'
>;

/** A client id in WSO2's style (seed 002: `rgfKVdnMQnJSSr_pKFTxj3apiwYa`): 168 random bits, base64url. */
export function newClientId(): string {
  return randomBytes(21).toString('base64url');
}

function seconds(value: string): FormResult<number> {
  if (value === '') return { ok: true, value: 0 };
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 && number <= 31_536_000
    ? { ok: true, value: number }
    : {
        ok: false,
        problems: [{ field: 'access_token_ttl', message: 'Enter whole seconds from 0 to 31536000.' }],
      };
}

/** The form's application fields, or the problems with them. */
export function readApplicationForm(form: URLSearchParams): FormResult<ApplicationInput> {
  const policies = parsePolicies(form.get('policies') ?? '', 'policies');
  const ttl = seconds(text(form, 'access_token_ttl'));
  const problems: FieldProblem[] = [];
  for (const result of [policies, ttl]) if (!result.ok) problems.push(...result.problems);
  if (!text(form, 'name')) problems.push({ field: 'name', message: 'Enter a name.' });
  const grantTypes = form.getAll('grant_types') as ClientDeclaration['grantTypes'];
  const redirectUris = lines(form.get('redirect_uris') ?? '');
  // The config file's rule (idp/config/schema): the authorization_code grant needs a redirect URI.
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    problems.push({ field: 'redirect_uris', message: 'The authorization_code grant needs a callback URL.' });
  }
  if (problems.length || !policies.ok || !ttl.ok) return { ok: false, problems };
  const format = text(form, 'token_format');
  return {
    ok: true,
    value: {
      name: text(form, 'name'),
      description: text(form, 'description'),
      grantTypes,
      scopes: words(form.get('scopes') ?? ''),
      tokenFormat: (format || undefined) as ClientDeclaration['tokenFormat'],
      accessTokenTtl: ttl.value * 1000,
      policies: policies.value,
      canIntrospect: checked(form, 'can_introspect'),
      redirectUris,
    },
  };
}

/**
 * The declaration of an application: the form's fields over what `existing` holds (its credentials,
 * audience, introspection policies, permissions), validated by the config schema.
 */
function declare(
  tenant: string,
  clientId: string,
  input: ApplicationInput,
  existing: Client | undefined,
  secret: string | undefined,
): FormResult<ClientDeclaration> {
  const fields = input;
  return validate(
    clientSchema,
    {
      id: clientId,
      tenant,
      secret,
      authMethods: existing?.authMethods.filter((method) => method !== 'none') ?? [],
      jwks: existing?.jwks,
      tlsSubjectDn: existing?.tlsSubjectDn,
      audience: existing?.audience ?? [],
      refreshTokenTtl: (existing?.refreshTokenTtl ?? 0) * 1000,
      introspectionPolicies: existing?.introspectionPolicies ?? [],
      postLogoutRedirectUris: existing?.postLogoutRedirectUris ?? [],
      firstParty: existing?.firstParty ?? false,
      permissions: existing?.permissions ?? [],
      disabled: existing?.disabled ?? false,
      ...fields,
      grantTypes: fields.grantTypes.length ? fields.grantTypes : undefined,
    },
    FIELDS,
    'name',
  );
}

export interface Registered {
  client: Client;
  /** The generated secret: shown once, never stored. */
  secret: string;
}

/** Registers an application with a generated secret; a taken client id is a problem of that field. */
export async function registerApplication(
  store: IdpStore,
  config: IdpConfig,
  tenant: string,
  clientId: string,
  input: ApplicationInput,
  now: number,
): Promise<FormResult<Registered>> {
  const secret = randomToken();
  const declared = declare(tenant, clientId, input, undefined, secret);
  if (!declared.ok) return declared;
  // `new` names the registration page (`applications/new`), so no application may have it as its id.
  if (clientId === 'new' || (await store.clients.get(tenant, clientId))) {
    return {
      ok: false,
      problems: [{ field: 'client_id', message: 'An application with this client ID exists already.' }],
    };
  }
  const client = clientRecord(declared.value, config.tokens, undefined, now);
  await store.clients.put(client);
  return { ok: true, value: { client, secret } };
}

/** Saves the form's fields over `existing`, keeping its credentials. */
export async function updateApplication(
  store: IdpStore,
  config: IdpConfig,
  existing: Client,
  input: ApplicationInput,
  now: number,
): Promise<FormResult<Client>> {
  const declared = declare(existing.tenant, existing.clientId, input, existing, undefined);
  if (!declared.ok) return declared;
  const record = clientRecord(declared.value, config.tokens, existing, now);
  // Editing never changes how the client authenticates: its secret hash and methods stay as they were.
  const credentials = { secretHash: existing.secretHash, authMethods: existing.authMethods };
  // Emptied lists must replace the old ones (the record builder leaves empty ones out).
  const lists = { redirectUris: declared.value.redirectUris };
  const client = { ...existing, ...record, ...credentials, ...lists };
  await store.clients.put(client);
  return { ok: true, value: client };
}

/** A new secret for `client`: only its hash is stored; the old secret stops working at once. */
export async function rotateSecret(store: IdpStore, client: Client): Promise<string> {
  const secret = randomToken();
  const authMethods = client.authMethods.some((method) => method.startsWith('client_secret_'))
    ? client.authMethods
    : [...client.authMethods.filter((method) => method !== 'none'), 'client_secret_basic' as const];
  await store.clients.put({ ...client, secretHash: hashSecret(secret), authMethods });
  return secret;
}

export async function setApplicationDisabled(store: IdpStore, client: Client, disabled: boolean) {
  await store.clients.put({ ...client, disabled });
}

/** Applications of `tenant` whose id, name or description contains `query` (case-insensitive), by name. */
export async function searchApplications(store: IdpStore, tenant: string, query: string): Promise<Client[]> {
  const needle = query.trim().toLowerCase();
  const clients = await store.clients.list(tenant);
  return clients
    .filter(
      (client) =>
        !needle ||
        [client.clientId, client.name, client.description].some((value) =>
          value.toLowerCase().includes(needle),
        ),
    )
    .sort((a, b) => a.name.localeCompare(b.name) || a.clientId.localeCompare(b.clientId));
}

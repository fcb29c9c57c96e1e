/**
 * @module grpc/answer
 * The two readings of an `IntrospectTokenResponse`: as the RFC 7662 answer it stands for (what the client
 * transport returns, go-authkit §7 mapping), and back (what a gRPC IdP sends for an answer it would give
 * over HTTP). Pure functions; the only failure is a `custom_claims_json` that is not a JSON object.
 */
import type { AccessPolicy, Claims } from '../claims/types.ts';
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import type { IntrospectionAnswer } from '../introspection/types.ts';
import type { AccessTokenScope, IntrospectTokenResponse } from './messages.ts';

/**
 * The RFC 7662 answer of a response, as go-authkit reads it: an inactive token is exactly
 * `{active:false}` (§2.2: say nothing more); empty strings and zero times mean absent; `aud` stays an
 * array; access policies become `{tuid, tid, rs, rn, rp, role}` with a non-zero `tenant_int_id` as the
 * decimal string `tid`; `custom_claims_json` is merged last and may replace any member but `active`
 * (the typed field decides that one, so a JSON string can never turn a token active).
 * `source` names the server in the error of a broken `custom_claims_json` (`idp_bad_response`).
 */
export function fromIntrospectTokenResponse(
  response: IntrospectTokenResponse,
  source: string,
): IntrospectionAnswer {
  if (response.active !== true) return { active: false };
  const claims: Claims = {};
  if (response.token_type) claims.token_type = response.token_type;
  if (response.iss) claims.iss = response.iss;
  if (response.sub) claims.sub = response.sub;
  if (response.aud?.length) claims.aud = [...response.aud];
  if (response.exp) claims.exp = response.exp;
  if (response.nbf) claims.nbf = response.nbf;
  if (response.iat) claims.iat = response.iat;
  if (response.jti) claims.jti = response.jti;
  if (response.scope?.length) claims.scope = response.scope.map(toAccessPolicy);
  // Spread, not assignment: an own "__proto__" member of the JSON stays a plain member.
  return { ...claims, ...customClaims(response.custom_claims_json, source), active: true };
}

function toAccessPolicy(scope: AccessTokenScope): AccessPolicy {
  const policy: AccessPolicy = {};
  if (scope.tenant_uuid) policy.tuid = scope.tenant_uuid;
  if (scope.tenant_int_id) policy.tid = String(scope.tenant_int_id);
  if (scope.resource_server) policy.rs = scope.resource_server;
  if (scope.resource_namespace) policy.rn = scope.resource_namespace;
  if (scope.resource_path) policy.rp = scope.resource_path;
  if (scope.role_name) policy.role = scope.role_name;
  return policy;
}

function customClaims(json: string | undefined, source: string): Record<string, unknown> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw serviceUnavailable('idp_bad_response', `custom_claims_json of ${source} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw serviceUnavailable('idp_bad_response', `custom_claims_json of ${source} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Members of an access policy and the `AccessTokenScope` field each one travels in. */
const POLICY_FIELDS = {
  tuid: 'tenant_uuid',
  rs: 'resource_server',
  rn: 'resource_namespace',
  rp: 'resource_path',
  role: 'role_name',
} as const;

/** A `tid` that survives the trip through int64 and back as the same string. */
const TENANT_INT_ID = /^-?[1-9][0-9]*$/;

/**
 * The response a gRPC IdP sends for `answer`, losing nothing: members the typed fields carry go there
 * (a string `aud` as a one-element list, RFC 7519 §4.1.3 gives both forms one meaning); everything the
 * typed fields cannot carry exactly (other members, an empty string, a `scope` that is not a list of
 * access policies, a `tid` that is not a non-zero integer) goes into `custom_claims_json`, which the
 * reader merges back over the typed fields.
 */
/** An `IntrospectTokenResponse` with every field at its proto3 default, as proto-loader decodes one. */
export function emptyIntrospectTokenResponse(): IntrospectTokenResponse {
  return {
    active: false,
    token_type: '',
    exp: 0,
    aud: [],
    jti: '',
    iss: '',
    sub: '',
    scope: [],
    nbf: 0,
    iat: 0,
    custom_claims_json: '',
  };
}

export function toIntrospectTokenResponse(answer: IntrospectionAnswer): IntrospectTokenResponse {
  const response = emptyIntrospectTokenResponse();
  if (answer.active !== true) return response;
  response.active = true;
  const rest: Record<string, unknown> = { ...answer };
  delete rest.active;
  const take = <T>(key: string, read: (value: unknown) => T | undefined): T | undefined => {
    const value = read(rest[key]);
    if (value !== undefined) delete rest[key];
    return value;
  };
  response.token_type = take('token_type', nonEmptyString) ?? '';
  response.iss = take('iss', nonEmptyString) ?? '';
  response.sub = take('sub', nonEmptyString) ?? '';
  response.jti = take('jti', nonEmptyString) ?? '';
  response.exp = take('exp', nonZeroInteger) ?? 0;
  response.nbf = take('nbf', nonZeroInteger) ?? 0;
  response.iat = take('iat', nonZeroInteger) ?? 0;
  response.aud = take('aud', audienceList) ?? [];
  response.scope = take('scope', accessTokenScopes) ?? [];
  if (Object.keys(rest).length > 0) response.custom_claims_json = JSON.stringify(rest);
  return response;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nonZeroInteger(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && value !== 0 ? (value as number) : undefined;
}

function audienceList(value: unknown): string[] | undefined {
  if (nonEmptyString(value) !== undefined) return [value as string];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => nonEmptyString(item) !== undefined) ? [...value] : undefined;
}

function accessTokenScopes(value: unknown): AccessTokenScope[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const scopes: AccessTokenScope[] = [];
  for (const item of value) {
    const scope = accessTokenScope(item);
    if (scope === undefined) return undefined;
    scopes.push(scope);
  }
  return scopes;
}

function accessTokenScope(policy: unknown): AccessTokenScope | undefined {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return undefined;
  const scope: AccessTokenScope = {
    tenant_uuid: '',
    tenant_int_id: 0,
    resource_server: '',
    resource_namespace: '',
    resource_path: '',
    role_name: '',
  };
  for (const [member, value] of Object.entries(policy)) {
    if (member === 'tid') {
      const id = typeof value === 'string' && TENANT_INT_ID.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(id)) return undefined;
      scope.tenant_int_id = id;
      continue;
    }
    if (!Object.hasOwn(POLICY_FIELDS, member) || nonEmptyString(value) === undefined) return undefined;
    scope[POLICY_FIELDS[member as keyof typeof POLICY_FIELDS]] = value as string;
  }
  return scope;
}

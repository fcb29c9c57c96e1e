/**
 * @module grpc/messages
 * TypeScript shapes of the `idp_token` messages as `@grpc/proto-loader` produces them with the options of
 * `proto.ts` (`keepCase`: field names as in the .proto; `longs: Number`: int64 as number; `defaults`: every
 * field present, 0 / "" / [] when unset). `proto/idp_token.proto` stays the source of truth; these types
 * only describe it to the compiler. Outgoing messages may leave fields out (proto3 defaults them).
 */

export interface IntrospectionScopeFilter {
  resource_namespace: string;
}

export interface IntrospectTokenRequest {
  token: string;
  scope_filter?: IntrospectionScopeFilter[];
}

export interface AccessTokenScope {
  tenant_uuid: string;
  tenant_int_id: number;
  resource_server: string;
  resource_namespace: string;
  resource_path: string;
  role_name: string;
}

export interface IntrospectTokenResponse {
  active: boolean;
  token_type: string;
  exp: number;
  aud: string[];
  jti: string;
  iss: string;
  sub: string;
  scope: AccessTokenScope[];
  nbf: number;
  iat: number;
  custom_claims_json: string;
}

export interface CreateTokenRequest {
  grant_type: string;
  assertion: string;
  not_required_introspection?: boolean;
}

export interface CreateTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

/** Metadata keys of the protocol (go-authkit §7). */
export const METADATA = {
  authorization: 'authorization',
  sessionId: 'x-session-id',
  requestId: 'x-request-id',
  retryAfter: 'retry-after',
} as const;

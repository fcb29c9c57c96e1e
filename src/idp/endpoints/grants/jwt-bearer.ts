/**
 * @module idp/endpoints/grants/jwt-bearer
 * RFC 7523 §2.1, the `urn:ietf:params:oauth:grant-type:jwt-bearer` grant as go-authkit's token exchange
 * (`CreateToken`) uses it: the `assertion` is an access token (a JWT of this IdP, or of a configured
 * trusted issuer) and the answer a new access token for the same subject, issued to the authenticated
 * client. go-authkit's `not_required_introspection` asks for a token whose `nri` header tells resource
 * servers they need not introspect it. RFC 7523 §3.1: an assertion that is not valid is `invalid_grant`.
 * The client must authenticate (§3.1 leaves client authentication optional; here a token alone never
 * mints new tokens).
 *
 * The exchange itself (`exchangeJwtBearer`) takes no HTTP request: the gRPC `CreateToken` of `idp/grpc`
 * performs the same one with its own caller and fields.
 */
import { oauthError } from '../../../errors/tokenguard-error.ts';
import type { Client, GrantType } from '../../model.ts';
import { isCurrent } from '../../tokens/token-state.ts';
import type { Realm, TokenResponse } from '../../tokens/types.ts';
import { checkScope, parseScope } from '../scope.ts';
import type { IdpServices } from '../types.ts';
import { type Grant, requiredParameter } from './types.ts';

export const JWT_BEARER_GRANT_TYPE: GrantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** One exchange, whatever protocol asked for it. */
export interface JwtBearerExchange {
  realm: Realm;
  /** The authenticated client the new token is issued to. */
  client: Client;
  assertion: string;
  /** Requested scope tokens (parsed); undefined = what the assertion had, as far as the client may. */
  scope?: string[];
  notRequiredIntrospection?: boolean;
}

type ExchangeServices = Pick<IdpServices, 'tokens' | 'store' | 'externalAssertions'>;

/** The subject and scope the assertion vouches for, or undefined when it is no valid token. */
async function assertedSubject(
  realm: Realm,
  services: ExchangeServices,
  assertion: string,
): Promise<{ subject: string; scope: string[] } | undefined> {
  const stored = await services.tokens.find(realm, assertion);
  if (stored) {
    const active = stored.kind === 'access' && isCurrent(stored, Math.floor(Date.now() / 1000));
    return active ? { subject: stored.subject, scope: stored.scope.split(' ').filter(Boolean) } : undefined;
  }
  const external = await services.externalAssertions?.(assertion).catch(() => undefined);
  return external && { subject: external.subject, scope: [] };
}

function booleanParameter(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw oauthError('invalid_request', `The ${name} parameter must be true or false.`);
}

/** Issues the token an assertion is exchanged for; an assertion that is no valid token is `invalid_grant`. */
export async function exchangeJwtBearer(
  services: ExchangeServices,
  exchange: JwtBearerExchange,
): Promise<TokenResponse> {
  const { realm, client } = exchange;
  const asserted = await assertedSubject(realm, services, exchange.assertion);
  if (!asserted) throw oauthError('invalid_grant', 'The assertion is not a valid token of a trusted issuer.');
  const allowed = new Set(client.scopes);
  // Without a scope parameter the new token keeps what the assertion had, as far as this client may.
  const scope = exchange.scope
    ? checkScope(exchange.scope, client)
    : asserted.scope.filter((token) => allowed.has(token));
  return services.tokens.issue({
    realm,
    client,
    subject: asserted.subject,
    user: await services.store.users.get(realm.tenant, asserted.subject),
    scope,
    withRefreshToken: false,
    notRequiredIntrospection: exchange.notRequiredIntrospection,
  });
}

export const jwtBearerGrant: Grant = async (request, services, client) => {
  const notRequiredIntrospection = booleanParameter(
    request.form.get('not_required_introspection'),
    'not_required_introspection',
  );
  const scope = parseScope(request.form.get('scope'));
  return exchangeJwtBearer(services, {
    realm: request.realm,
    client,
    assertion: requiredParameter(request, 'assertion'),
    scope,
    notRequiredIntrospection,
  });
};

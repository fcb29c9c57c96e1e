/**
 * @module idp/grpc/caller
 * Who calls the gRPC service: the bearer token of the call's `authorization` metadata, checked by the same
 * `CallerAuthenticator` that checks the HTTP introspection endpoint's bearer callers, so both protocols
 * admit exactly the same callers: a static token of `idp.introspection.staticTokens`, or an active access
 * token of this IdP whose client has `canIntrospect` (RFC 7662 §2.1). go-authkit sends nothing else, and a
 * call has no form body, so the HTTP endpoint's other methods (Basic, client assertions) are not offered.
 *
 * Every refusal of the credentials (none, another scheme, a malformed or unknown token, several
 * `authorization` values) is the same `invalid_client`, answered Unauthenticated; a failing store stays a
 * failure of the IdP.
 */
import type { Metadata } from '@grpc/grpc-js';
import { oauthError } from '../../errors/tokenguard-error.ts';
import { METADATA } from '../../grpc/messages.ts';
import { isProtocolError } from '../endpoints/respond.ts';
import type { IdpServices } from '../endpoints/types.ts';
import type { Caller, Realm } from '../tokens/types.ts';

const NO_FORM: ReadonlyMap<string, string> = new Map();

/** The scheme, as the HTTP side reads it (case-insensitive, one space before the token). */
const BEARER = /^bearer /i;

const refused = () => oauthError('invalid_client', 'Client authentication failed.');

export async function authenticateGrpcCaller(
  services: Pick<IdpServices, 'callers' | 'logger'>,
  realm: Realm,
  metadata: Metadata,
): Promise<Caller> {
  const values = metadata.get(METADATA.authorization);
  const authorization = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
  if (authorization === undefined || !BEARER.test(authorization)) {
    // The authenticator logs its own refusals; this one never reaches it.
    services.logger.info(
      { tenant: realm.tenant, auth_method: 'grpc', reason: 'no single bearer authorization metadata' },
      'client authentication failed',
    );
    throw refused();
  }
  try {
    return await services.callers.authenticate(
      { realm, authorization, form: NO_FORM, peer: undefined, endpointUrls: [] },
      { bearer: true },
    );
  } catch (error) {
    // A malformed bearer token is `invalid_request` over HTTP; here it is the caller's credential failing.
    throw isProtocolError(error) ? refused() : error;
  }
}

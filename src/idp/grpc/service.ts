/**
 * @module idp/grpc/service
 * The IdP's handlers of `idp_token.IDPTokenService` (go-authkit §7), doing over gRPC what the HTTP
 * endpoints do, with the same building blocks: caller authentication (`./caller.ts`), the per-caller rate
 * limiter shared with HTTP (one budget per caller, whichever protocol it uses), the token service's
 * answer, and the jwt-bearer exchange of the token endpoint.
 *
 * - `IntrospectToken`: caller → rate limit (ResourceExhausted, `retry-after` in the header metadata, where
 *   go-authkit reads it) → `token` required (InvalidArgument) → `TokenService.introspect` with the request's
 *   `scope_filter`, the very answer HTTP gives, mapped by `toIntrospectTokenResponse` (nothing lost; only a
 *   single `aud` string travels as a one-element list, `aud` being `repeated string`).
 * - `CreateToken`: the caller authenticates as for `IntrospectToken`; it must be an access token of a
 *   client registered for the jwt-bearer grant (PermissionDenied otherwise: a static token belongs to no
 *   client), which the new token is issued to, as the token endpoint issues it to the authenticated client;
 *   `grant_type` must be jwt-bearer (InvalidArgument) and `assertion` an access token of this IdP or of a
 *   trusted issuer (InvalidArgument). Not rate-limited, as the token endpoint is not.
 *
 * Every call is answered once and logged once (`call completed in …`, the gRPC twin of the access log):
 * method, status code, peer, duration, request id; never a token.
 */
import type { handleUnaryCall, Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { oauthError } from '../../errors/tokenguard-error.ts';
import { toIntrospectTokenResponse } from '../../grpc/answer.ts';
import {
  type CreateTokenRequest,
  type CreateTokenResponse,
  type IntrospectionScopeFilter,
  type IntrospectTokenRequest,
  type IntrospectTokenResponse,
  METADATA,
} from '../../grpc/messages.ts';
import type { GrpcModule } from '../../grpc/peers.ts';
import { type IdpTokenServiceHandlers, SERVICE_NAME } from '../../grpc/proto.ts';
import { requestIdOf } from '../../observability/request-id.ts';
import { callerKey } from '../clients/caller-identity.ts';
import { exchangeJwtBearer, JWT_BEARER_GRANT_TYPE } from '../endpoints/grants/jwt-bearer.ts';
import type { IdpServices } from '../endpoints/types.ts';
import type { Client } from '../model.ts';
import type { Caller, Realm } from '../tokens/types.ts';
import { authenticateGrpcCaller } from './caller.ts';
import { callFailure } from './failure.ts';

export interface IdpTokenServiceOptions {
  services: IdpServices;
  /** The realm every call is addressed to (gRPC has no path to name a tenant or profile). */
  realm: Realm;
  grpc: GrpcModule;
}

/** go-authkit's scope filter as the token service takes it; entries without a namespace filter nothing. */
function namespaces(filter: readonly IntrospectionScopeFilter[] | undefined): string[] | undefined {
  const rns = (filter ?? []).map((entry) => entry.resource_namespace).filter((rn) => rn !== '');
  return rns.length > 0 ? rns : undefined;
}

/** The client a `CreateToken` caller speaks for, if it may exchange tokens. */
function exchangingClient(caller: Caller): Client {
  if (caller.kind !== 'bearer' || caller.client === undefined) {
    throw oauthError('unauthorized_client', 'Only an access token of a client may exchange tokens.');
  }
  if (!caller.client.grantTypes.includes(JWT_BEARER_GRANT_TYPE)) {
    throw oauthError('unauthorized_client', 'The client may not use this grant type.');
  }
  return caller.client;
}

export function createIdpTokenService(options: IdpTokenServiceOptions): IdpTokenServiceHandlers {
  const { services, realm, grpc } = options;
  const { logger } = services;

  /** Runs `work` for a call and answers it: its result, or the status of its failure. */
  const unary =
    <Request, Response>(
      method: string,
      work: (call: ServerUnaryCall<Request, Partial<Response>>) => Promise<Partial<Response>>,
    ): handleUnaryCall<Request, Partial<Response>> =>
    (call, callback) => {
      const started = process.hrtime.bigint();
      const done = (code: number) => {
        // Skipped whole when info lines are off: building the line costs more than the check.
        if (!logger.isLevelEnabled('info')) return;
        const micros = Number((process.hrtime.bigint() - started) / 1000n);
        logger.info(
          {
            request_id: requestIdOf({ 'x-request-id': singleValue(call.metadata, METADATA.requestId) }),
            method: `/${SERVICE_NAME}/${method}`,
            peer: call.getPeer(),
            grpc_code: code,
            duration_ms: Math.floor(micros / 1000),
            duration: micros,
          },
          `call completed in ${(micros / 1e6).toFixed(3)}s`,
        );
      };
      work(call)
        .then(
          (response) => {
            callback(null, response);
            done(grpc.status.OK);
          },
          (error: unknown) => {
            const failure = callFailure(error);
            if (failure.unexpected) logger.error({ err: error, method }, 'gRPC call failed');
            const metadata = new grpc.Metadata();
            if (failure.retryAfter !== undefined) {
              metadata.set(METADATA.retryAfter, String(failure.retryAfter));
              // Header metadata, where go-authkit looks; the trailers carry it too, for clients that read
              // only the status.
              call.sendMetadata(metadata.clone());
            }
            callback({ code: failure.code, details: failure.details, metadata });
            done(failure.code);
          },
        )
        // Whatever grpc-js itself throws while answering, a call never takes the process down.
        .catch((error: unknown) => logger.error({ err: error, method }, 'gRPC call failed'));
    };

  return {
    IntrospectToken: unary<IntrospectTokenRequest, IntrospectTokenResponse>(
      'IntrospectToken',
      async (call) => {
        const caller = await authenticateGrpcCaller(services, realm, call.metadata);
        services.rateLimiter.take(callerKey(caller));
        const { token, scope_filter: filter } = call.request;
        if (!token) throw oauthError('invalid_request', 'The token field is required.');
        const answer = await services.tokens.introspect({
          realm,
          token,
          caller,
          scopeFilter: namespaces(filter),
        });
        return toIntrospectTokenResponse(answer);
      },
    ),
    CreateToken: unary<CreateTokenRequest, CreateTokenResponse>('CreateToken', async (call) => {
      const caller = await authenticateGrpcCaller(services, realm, call.metadata);
      const { grant_type, assertion, not_required_introspection } = call.request;
      if (grant_type !== JWT_BEARER_GRANT_TYPE) {
        throw oauthError('unsupported_grant_type', `Only ${JWT_BEARER_GRANT_TYPE} is supported.`);
      }
      if (!assertion) throw oauthError('invalid_request', 'The assertion field is required.');
      const issued = await exchangeJwtBearer(services, {
        realm,
        client: exchangingClient(caller),
        assertion,
        notRequiredIntrospection: not_required_introspection === true,
      });
      return {
        access_token: issued.access_token,
        token_type: issued.token_type,
        expires_in: issued.expires_in,
      };
    }),
  };
}

function singleValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * @module adapters/node-http
 * node:http adapter: wraps a request handler so it runs only for authenticated (and authorized) requests.
 * The principal is passed to the handler as its third argument.
 *
 * @example
 * const server = http.createServer(protect(auth, (req, res, principal) => res.end(`Hello, ${principal.subject}`)));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../authz/types.ts';
import type { Principal } from '../claims/types.ts';
import { requestId } from '../observability/access-log.ts';
import type { Logger } from '../observability/logger.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { errorResponse } from './respond.ts';

export interface ProtectOptions {
  /** Authorization for this handler; default: the authenticator's own. */
  authorize?: Authorizer;
  /** Where `error in response` lines go. */
  logger?: Logger;
}

export type ProtectedHandler<Req extends IncomingMessage, Res extends ServerResponse> = (
  request: Req,
  response: Res,
  principal: Principal,
) => unknown;

export function protect<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>(
  authenticator: Authenticator,
  handler: ProtectedHandler<Req, Res>,
  options: ProtectOptions = {},
): (request: Req, response: Res) => void {
  const fail = (request: Req, response: Res, failure: unknown) => {
    const { status, headers, body } = errorResponse(
      authenticator,
      failure,
      options.logger,
      requestId(request),
    );
    if (!response.headersSent) response.writeHead(status, headers);
    response.end(body);
  };
  // Errors of the handler itself are the application's: they propagate as they would without us.
  return (request, response) => {
    let principal: Principal | undefined;
    try {
      principal = authenticator.checkCached(request, options);
    } catch (failure) {
      return fail(request, response, failure);
    }
    if (principal) {
      handler(request, response, principal);
      return;
    }
    authenticator.check(request, { authorize: options.authorize, requestId: requestId(request) }).then(
      (verified) => handler(request, response, verified),
      (failure: unknown) => fail(request, response, failure),
    );
  };
}

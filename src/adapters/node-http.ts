/**
 * @module adapters/node-http
 * node:http adapter: wraps a request handler so it runs only for authenticated (and authorized) requests.
 * The principal is passed as the third argument and is also available through `principalOf(request)`.
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

const principals = new WeakMap<IncomingMessage, Principal>();

/** The principal of an authenticated request, or undefined. */
export function principalOf(request: IncomingMessage): Principal | undefined {
  return principals.get(request);
}

export function protect<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>(
  authenticator: Authenticator,
  handler: ProtectedHandler<Req, Res>,
  options: ProtectOptions = {},
): (request: Req, response: Res) => Promise<void> {
  return async (request, response) => {
    const id = requestId(request);
    let principal: Principal;
    try {
      principal = await authenticator.check(request, { authorize: options.authorize, requestId: id });
    } catch (failure) {
      const { status, headers, body } = errorResponse(authenticator, failure, options.logger, id);
      if (!response.headersSent) response.writeHead(status, headers);
      response.end(body);
      return;
    }
    principals.set(request, principal);
    await handler(request, response, principal);
  };
}

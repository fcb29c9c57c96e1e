/**
 * @module adapters/express
 * Express middleware. Sets `req.auth` (the principal) and `res.locals.auth`, or answers the error.
 * Route-level authorization: `app.get('/admin', authenticate(auth, { authorize: requireRole(...) }), handler)`.
 * For the body token source, mount `express.urlencoded()` before it.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '../claims/types.ts';
import { requestId } from '../observability/access-log.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import type { ProtectOptions } from './node-http.ts';
import { errorResponse } from './respond.ts';

declare global {
  namespace Express {
    interface Request {
      /** Set by tokenguard's middleware for authenticated requests. */
      auth?: Principal;
    }
  }
}

export function authenticate(authenticator: Authenticator, options: ProtectOptions = {}): RequestHandler {
  const fail = (request: Request, response: Response, failure: unknown) => {
    const { status, headers, body } = errorResponse(
      authenticator,
      failure,
      options.logger,
      requestId(request),
    );
    response.status(status).set(headers).send(body);
  };
  const pass = (request: Request, response: Response, next: NextFunction, principal: Principal) => {
    request.auth = principal;
    response.locals.auth = principal;
    next();
  };
  return (request: Request, response: Response, next: NextFunction) => {
    let principal: Principal | undefined;
    try {
      principal = authenticator.checkCached(request, options);
    } catch (failure) {
      return fail(request, response, failure);
    }
    if (principal) return pass(request, response, next, principal);
    authenticator.check(request, { authorize: options.authorize, requestId: requestId(request) }).then(
      (verified) => pass(request, response, next, verified),
      (failure: unknown) => fail(request, response, failure),
    );
  };
}

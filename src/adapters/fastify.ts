/**
 * @module adapters/fastify
 * Fastify plugin: decorates requests with `auth` (the principal) and authenticates in a `preHandler` hook
 * (after body parsing, so the body token source works). Routes pick their authorization through route
 * config: `{ config: { authorize: requireRole(...) } }`, or opt out with `{ config: { public: true } }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authorizer } from '../authz/types.ts';
import type { Principal } from '../claims/types.ts';
import type { Logger } from '../observability/logger.ts';
import { requestIdOf } from '../observability/request-id.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { errorResponse } from './respond.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Principal | null;
  }
  interface FastifyContextConfig {
    /** Authorization of this route (default: the authenticator's). */
    authorize?: Authorizer;
    /** Skip authentication for this route. */
    public?: boolean;
  }
}

export interface TokenguardPluginOptions {
  authenticator: Authenticator;
  logger?: Logger;
}

async function tokenguardPlugin(fastify: FastifyInstance, options: TokenguardPluginOptions): Promise<void> {
  const { authenticator, logger } = options;
  fastify.decorateRequest('auth', null);
  const fail = (request: FastifyRequest, reply: FastifyReply, failure: unknown) => {
    const { status, headers, body } = errorResponse(
      authenticator,
      failure,
      logger,
      requestIdOf(request.headers),
    );
    reply.code(status).headers(headers).send(body);
  };
  // Callback style, so that a cache hit continues in the same tick without a promise. The request itself is
  // the pipeline's input: its `headers`, `url`, `body` and `method` are read only when needed (the header
  // source alone reads `headers`), and no copy of them is made per request.
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const routeConfig = request.routeOptions.config;
    if (routeConfig?.public) return done();
    const options = { authorize: routeConfig?.authorize };
    let cached: Principal | undefined;
    try {
      cached = authenticator.checkCached(request, options);
    } catch (failure) {
      return fail(request, reply, failure);
    }
    if (cached) {
      request.auth = cached;
      return done();
    }
    authenticator.check(request, { ...options, requestId: requestIdOf(request.headers) }).then(
      (principal) => {
        request.auth = principal;
        done();
      },
      (failure: unknown) => fail(request, reply, failure),
    );
  });
}

// Like fastify-plugin: escape encapsulation so the hook applies to the routes of the parent scope.
(tokenguardPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(tokenguardPlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'tokenguard';

export { tokenguardPlugin as tokenguard };

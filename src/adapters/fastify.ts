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
  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const routeConfig = request.routeOptions.config;
    if (routeConfig?.public) return;
    const id = requestIdOf(request.headers);
    try {
      request.auth = await authenticator.check(
        { headers: request.headers, url: request.url, body: request.body },
        { authorize: routeConfig?.authorize, requestId: id },
      );
    } catch (failure) {
      const { status, headers, body } = errorResponse(authenticator, failure, logger, id);
      return reply.code(status).headers(headers).send(body);
    }
  });
}

// Like fastify-plugin: escape encapsulation so the hook applies to the routes of the parent scope.
(tokenguardPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(tokenguardPlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'tokenguard';

export { tokenguardPlugin as tokenguard };

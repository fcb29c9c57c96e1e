/**
 * @module gateway/decision-handler
 * The decision endpoint (`/decisions/*` on the API listener, Oathkeeper's convention) for front proxies
 * that ask before they forward: nginx `auth_request`, Traefik ForwardAuth, Envoy HTTP `ext_authz`. The
 * request to judge is described by `X-Forwarded-Method`, `-Proto`, `-Host` and `-Uri`, each falling back to
 * the request's own method, scheme, `Host` and the path after `/decisions`. The route is matched and the
 * same authentication and checks run as in the proxy; the answer is 200 with the identity headers the proxy
 * would have set (for `auth_request_set`, `authResponseHeaders`, `allowed_upstream_headers`) and no body,
 * or the error with its challenge. Always 200 on success, never 204: Envoy's HTTP ext_authz allows only 200.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTokenguardError, TokenguardError } from '../errors/tokenguard-error.ts';
import { requestId as requestIdOf } from '../observability/access-log.ts';
import type { Logger } from '../observability/logger.ts';
import { routeNotFound } from './admit.ts';
import { authenticateRequest } from './auth/route-auth.ts';
import { type ErrorStyle, logFailure, sendError } from './http/respond.ts';
import type { DecisionOutcome, GatewayMetrics } from './metrics.ts';
import { normalizeTarget } from './routing/request-target.ts';
import { hostName } from './routing/route-matcher.ts';
import type { CompiledRoute, Runtime } from './runtime.ts';

export const DECISIONS_PATH = '/decisions';

export interface DecisionHandlerDeps {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** The judged request's target: `X-Forwarded-Uri`, else what follows `/decisions` in our own target. */
function judgedTarget(request: IncomingMessage): string {
  const forwarded = header(request, 'x-forwarded-uri');
  if (forwarded !== undefined) return forwarded;
  const own = request.url ?? DECISIONS_PATH;
  const rest = own.slice(DECISIONS_PATH.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function outcomeOf(error: TokenguardError): DecisionOutcome {
  switch (error.httpStatus) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 400:
      return 'invalid';
    default:
      return 'unavailable';
  }
}

function allow(response: ServerResponse, headers: Readonly<Record<string, string>>): void {
  response.writeHead(200, { ...headers, 'content-length': '0', 'cache-control': 'no-store' });
  response.end();
}

export function createDecisionHandler(deps: DecisionHandlerDeps) {
  const { logger, metrics } = deps;

  return (request: IncomingMessage, response: ServerResponse, runtime: Runtime): void => {
    const id = requestIdOf(request);
    let route: CompiledRoute | undefined;
    const deny = (failure: unknown, style: ErrorStyle) => {
      const error = isTokenguardError(failure)
        ? failure
        : (route?.auth?.authenticator.toError(failure) ??
          new TokenguardError('serviceUnavailable', 'internal_error', { cause: failure }));
      metrics.decision(outcomeOf(error));
      logFailure(logger, error, style, id, route?.name);
      sendError(response, error, style);
    };
    try {
      const method = (header(request, 'x-forwarded-method') ?? request.method ?? 'GET').toUpperCase();
      const target = normalizeTarget(judgedTarget(request), runtime.config.limits.allowEncodedSlashes);
      const host = hostName(header(request, 'x-forwarded-host') ?? request.headers.host);
      route = runtime.match({ method, host, path: target.path });
      if (!route) throw routeNotFound();
      const auth = route.auth;
      if (auth === undefined) {
        metrics.decision('allowed');
        allow(response, {});
        return;
      }
      const chosen = route;
      // The judged request: the client's headers (as the front proxy passed them), the forwarded target.
      const judged = { headers: request.headers, url: target.url, method };
      const answer = async () => {
        const { principal } = await authenticateRequest(auth, judged, id);
        const headers = await chosen.planner.identity(principal);
        metrics.decision('allowed');
        allow(response, headers);
      };
      answer().catch((failure: unknown) => deny(failure, chosen.style));
    } catch (failure) {
      deny(failure, route?.style ?? runtime.style);
    }
  };
}

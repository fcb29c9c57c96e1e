/**
 * @module gateway/admit
 * What the proxy and the Upgrade path do before a request may go upstream: normalize the request target,
 * find the route, enforce the declared body size, authenticate and authorize (synchronously on an
 * in-process cache hit), and plan the forward. A form body is read first on routes that take the token
 * from it, and replayed to the engine.
 */
import type { IncomingMessage } from 'node:http';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { authenticateRequest } from './auth/route-auth.ts';
import { withoutParam } from './forward/credential.ts';
import type { PlannedForward } from './forward/plan.ts';
import { checkDeclaredLength } from './http/body-limit.ts';
import { hasFormBody, parseForm, readBody, replayRequest } from './http/form-body.ts';
import type { ForwardPlan } from './proxy/types.ts';
import { normalizeTarget } from './routing/request-target.ts';
import { hostName } from './routing/route-matcher.ts';
import type { CompiledRoute, Runtime } from './runtime.ts';

export interface Admitted {
  /** The request to hand the engine: the client's, or a replay of its buffered form body. */
  readonly request: IncomingMessage;
  readonly plan: ForwardPlan;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

export function routeNotFound(detail?: string): TokenguardError {
  return new TokenguardError('routeNotFound', 'route_not_found', { detail });
}

/**
 * The route of a request, after normalizing its target (the request's `url` is replaced by the normalized
 * one, which is what goes upstream). Throws 400 for an unusable target and 404 when no route matches or
 * the route only serves decisions.
 */
export function routeOf(runtime: Runtime, request: IncomingMessage): CompiledRoute {
  const target = normalizeTarget(request.url, runtime.config.limits.allowEncodedSlashes);
  const route = runtime.match({
    method: request.method ?? 'GET',
    host: hostName(request.headers.host),
    path: target.path,
  });
  if (!route) throw routeNotFound();
  request.url = target.url;
  return route;
}

function applied(request: IncomingMessage, planned: PlannedForward): Admitted {
  if (planned.url !== undefined) request.url = planned.url;
  return { request, plan: planned.plan };
}

async function admitWithForm(
  route: CompiledRoute,
  request: IncomingMessage,
  requestId: string,
  bufferLimit: number,
): Promise<Admitted> {
  const auth = route.auth!;
  const limit = route.maxBodySize > 0 ? Math.min(route.maxBodySize, bufferLimit) : bufferLimit;
  const body = await readBody(request, limit);
  const form = {
    headers: request.headers,
    url: request.url,
    method: request.method,
    body: parseForm(body.toString()),
  };
  const { principal, token } = await authenticateRequest(auth, form, requestId);
  const planned = await route.planner.authenticated(request, principal, token, requestId);
  const strip = token.source === 'body' && route.config.forward.credential === 'strip';
  // latin1 keeps every byte as it was: only the token's pair is cut out
  const forwarded = strip
    ? Buffer.from(withoutParam(body.toString('latin1'), auth.reader.sources.body.name), 'latin1')
    : body;
  return applied(replayRequest(request, forwarded), planned);
}

/**
 * Authenticates and plans a request of `route`. Returns synchronously when it can (public route, cache
 * hit), else a promise; throws (or rejects with) the TokenguardError to answer.
 */
export function admit(
  runtime: Runtime,
  route: CompiledRoute,
  request: IncomingMessage,
  requestId: string,
): Admitted | Promise<Admitted> {
  checkDeclaredLength(request, route.maxBodySize);
  const auth = route.auth;
  if (auth === undefined) return { request, plan: route.planner.anonymous(requestId) };
  if (auth.reader.needsBody && hasFormBody(request)) {
    return admitWithForm(route, request, requestId, runtime.config.limits.maxBufferedBody);
  }
  const authenticated = authenticateRequest(auth, request, requestId);
  const plan = (result: Awaited<typeof authenticated>) => {
    const planned = route.planner.authenticated(request, result.principal, result.token, requestId);
    return isPromise(planned) ? planned.then((value) => applied(request, value)) : applied(request, planned);
  };
  return isPromise(authenticated) ? authenticated.then(plan) : plan(authenticated);
}

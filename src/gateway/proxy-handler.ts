/**
 * @module gateway/proxy-handler
 * The proxy listener: every request (and every Upgrade request, through the same checks) is routed,
 * authenticated, authorized and handed to its route's upstream with the plan, or answered with the error
 * of seed 000. A request runs entirely on the runtime in force when it arrived.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isTokenguardError, TokenguardError } from '../errors/tokenguard-error.ts';
import { requestId as requestIdOf } from '../observability/access-log.ts';
import type { Logger } from '../observability/logger.ts';
import { requestIdOf as upgradeRequestIdOf } from '../observability/request-id.ts';
import { type Admitted, admit, routeNotFound, routeOf } from './admit.ts';
import { bodyTooLarge, limitStreamedBody } from './http/body-limit.ts';
import { type ErrorStyle, logFailure, sendError, sendRawError } from './http/respond.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { CompiledRoute, Runtime } from './runtime.ts';

export interface ProxyHandlerDeps {
  /** The runtime in force. */
  readonly runtime: () => Runtime;
  /** True once shutdown began: answers close their connections. */
  readonly draining: () => boolean;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The failure as a TokenguardError: the route's authenticator maps anything else (and logs the bug). */
function asError(failure: unknown, route: CompiledRoute | undefined): TokenguardError {
  if (isTokenguardError(failure)) return failure;
  if (route?.auth) return route.auth.authenticator.toError(failure);
  return new TokenguardError('serviceUnavailable', 'internal_error', { cause: failure });
}

/** The route's own upstream, or 404 for a route that only serves decisions. */
function upstreamOf(route: CompiledRoute) {
  if (!route.upstream) throw routeNotFound(`route ${route.name} has no upstream (decisions only)`);
  return route.upstream;
}

export function createProxyHandler(deps: ProxyHandlerDeps) {
  const { logger, metrics } = deps;

  function fail(
    response: ServerResponse,
    failure: unknown,
    route: CompiledRoute | undefined,
    style: ErrorStyle,
    id: string,
  ): void {
    const error = asError(failure, route);
    if (!isTokenguardError(failure)) logger.error({ err: failure, request_id: id }, 'unexpected error');
    logFailure(logger, error, style, id, route?.name);
    sendError(response, error, style);
  }

  function forward(route: CompiledRoute, admitted: Admitted, response: ServerResponse, id: string): void {
    const { request, plan } = admitted;
    limitStreamedBody(request, route.maxBodySize, () => {
      if (response.headersSent) {
        request.destroy();
        return;
      }
      // The rest of the body is not read: the connection cannot carry another request.
      response.setHeader('connection', 'close');
      fail(response, bodyTooLarge(route.maxBodySize), route, route.style, id);
      response.once('finish', () => request.destroy());
    });
    const started = performance.now();
    upstreamOf(route)
      .forward(request, response, plan)
      .then(
        (outcome) => metrics.upstream(route.name, outcome, (performance.now() - started) / 1000),
        (error: unknown) => fail(response, error, route, route.style, id),
      );
  }

  function onRequest(request: IncomingMessage, response: ServerResponse): void {
    const runtime = deps.runtime();
    runtime.inFlight.enter();
    let name = 'none';
    response.once('close', () => {
      runtime.inFlight.leave();
      metrics.request(name, response.statusCode);
    });
    if (deps.draining()) response.setHeader('connection', 'close');
    const id = requestIdOf(request);
    let route: CompiledRoute | undefined;
    try {
      route = routeOf(runtime, request);
      name = route.name;
      upstreamOf(route);
      const admitted = admit(runtime, route, request, id);
      const chosen = route;
      if (isPromise(admitted)) {
        admitted
          .then((value) => forward(chosen, value, response, id))
          .catch((failure: unknown) => fail(response, failure, chosen, chosen.style, id));
      } else {
        forward(route, admitted, response, id);
      }
    } catch (failure) {
      fail(response, failure, route, route?.style ?? runtime.style, id);
    }
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const runtime = deps.runtime();
    runtime.inFlight.enter();
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      runtime.inFlight.leave();
    };
    socket.once('close', leave);
    socket.on('error', () => socket.destroy());
    const id = upgradeRequestIdOf(request.headers);
    let route: CompiledRoute | undefined;
    const refuse = (failure: unknown, style: ErrorStyle) => {
      const error = asError(failure, route);
      logFailure(logger, error, style, id, route?.name);
      metrics.request(route?.name ?? 'none', error.httpStatus);
      sendRawError(socket, error, style);
      leave();
    };
    const tunnel = (chosen: CompiledRoute, admitted: Admitted) =>
      upstreamOf(chosen)
        .upgrade(admitted.request, socket, head, admitted.plan)
        .then(
          (outcome) => metrics.request(chosen.name, outcome.status),
          (failure: unknown) => refuse(failure, chosen.style),
        )
        .finally(leave);
    try {
      route = routeOf(runtime, request);
      upstreamOf(route);
      const admitted = admit(runtime, route, request, id);
      const chosen = route;
      if (isPromise(admitted)) {
        admitted.then(
          (value) => tunnel(chosen, value),
          (failure: unknown) => refuse(failure, chosen.style),
        );
      } else {
        void tunnel(route, admitted);
      }
    } catch (failure) {
      refuse(failure, route?.style ?? runtime.style);
    }
  }

  return { onRequest, onUpgrade };
}

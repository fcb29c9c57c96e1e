/**
 * @module gateway/api-handler
 * The API listener (Oathkeeper's 4456): `/decisions/*`, `/healthz` (200 while the process runs),
 * `/readyz` (200 while a configuration is in force and the gateway is not shutting down, else 503),
 * `/metrics` (Prometheus text of the gateway's registry) and `/.well-known/jwks.json` (the keys that
 * verify phantom tokens). It must stay on an internal network: the decision endpoint trusts the
 * `X-Forwarded-*` headers it is given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type { Registry } from 'prom-client';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { DECISIONS_PATH } from './decision-handler.ts';
import { sendError } from './http/respond.ts';
import type { Runtime } from './runtime.ts';

export interface ApiHandlerDeps {
  readonly runtime: () => Runtime | undefined;
  readonly draining: () => boolean;
  readonly registry: Registry;
  /** Public keys of phantom tokens (current first). */
  readonly jwks: () => readonly JWK[];
  readonly decide: (request: IncomingMessage, response: ServerResponse, runtime: Runtime) => void;
  readonly errorDomain: () => string;
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const question = target.indexOf('?');
  return question < 0 ? target : target.slice(0, question);
}

export function createApiHandler(deps: ApiHandlerDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const path = pathOf(request.url);
    if (path === DECISIONS_PATH || path.startsWith(`${DECISIONS_PATH}/`)) {
      const runtime = deps.runtime();
      if (runtime === undefined || deps.draining()) {
        const error = new TokenguardError('serviceUnavailable', 'internal_error', { detail: 'not ready' });
        sendError(response, error, { domain: deps.errorDomain(), realm: deps.errorDomain(), messages: {} });
        return;
      }
      runtime.inFlight.enter();
      response.once('close', () => runtime.inFlight.leave());
      deps.decide(request, response, runtime);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      json(response, 405, { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/healthz':
        json(response, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const ready = deps.runtime() !== undefined && !deps.draining();
        json(response, ready ? 200 : 503, {
          status: ready ? 'ready' : deps.draining() ? 'draining' : 'starting',
        });
        return;
      }
      case '/metrics':
        deps.registry.metrics().then(
          (text) => {
            response.writeHead(200, { 'content-type': deps.registry.contentType });
            response.end(text);
          },
          () => json(response, 500, { error: 'server_error' }),
        );
        return;
      case '/.well-known/jwks.json':
        json(response, 200, { keys: deps.jwks() }, { 'cache-control': 'public, max-age=300' });
        return;
      default: {
        const error = new TokenguardError('routeNotFound', 'route_not_found');
        sendError(response, error, { domain: deps.errorDomain(), realm: deps.errorDomain(), messages: {} });
      }
    }
  };
}

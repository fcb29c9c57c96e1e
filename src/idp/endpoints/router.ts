/**
 * @module idp/endpoints/router
 * The IdP's node:http request listener: resolves the path to an endpoint of a tenant (`idp/tenants`),
 * checks the method, the tenant and the request shape, reads the form body, runs the handler and writes
 * its answer. Whatever goes wrong becomes a precise OAuth error or, for a bug, a generic 500; a request
 * never crashes the process and no answer carries a stack trace.
 *
 * - Unknown path or tenant → 404 `not_found` (JSON).
 * - Wrong method → 405 with `Allow` (RFC 9110 §15.5.6). RFC 7662 §4 lets the server refuse GET for
 *   introspection, which keeps tokens out of URLs and logs; so do all POST endpoints here.
 * - Parameters in the query of a POST endpoint → `invalid_request`: RFC 6749 §2.3.1 ("MUST NOT be included
 *   in the request URI"), RFC 9700 §4.3.2, and URLs end up in logs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { isTokenguardError, oauthError } from '../../errors/tokenguard-error.ts';
import type { EndpointName } from '../tenants/profiles.ts';
import { discovery } from './discovery.ts';
import { readForm } from './form-body.ts';
import { introspect } from './introspect.ts';
import { jwks } from './jwks.ts';
import { errorResponse, isProtocolError } from './respond.ts';
import { revoke } from './revoke.ts';
import { RouteCache } from './route-cache.ts';
import { token } from './token.ts';
import type { Handler, IdpRequest, IdpResponse, IdpServices, PeerCertificate } from './types.ts';

interface Endpoint {
  methods: readonly string[];
  handler: Handler;
}

const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST'] as const;

const ENDPOINTS: Readonly<Record<EndpointName, Endpoint>> = {
  discovery: { methods: READ, handler: discovery },
  jwks: { methods: READ, handler: jwks },
  token: { methods: WRITE, handler: token },
  introspect: { methods: WRITE, handler: introspect },
  revoke: { methods: WRITE, handler: revoke },
};

const notFound = () => oauthError('not_found', 'Not found.');

/** The client certificate of a TLS connection, if it presented one. */
export function peerOf(request: IncomingMessage): PeerCertificate | undefined {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const certificate = socket.getPeerX509Certificate();
  return certificate ? { certificate, authorized: socket.authorized } : undefined;
}

async function answer(
  request: IncomingMessage,
  services: IdpServices,
  base: string,
  routes: RouteCache,
): Promise<IdpResponse> {
  const target = request.url ?? '';
  const question = target.indexOf('?');
  const path = question === -1 ? target : target.slice(0, question);
  const resolved = routes.resolve(path, base);
  if (!resolved) throw notFound();
  const { route } = resolved;
  const endpoint = ENDPOINTS[route.endpoint];
  const method = request.method ?? 'GET';
  if (!endpoint.methods.includes(method)) {
    throw oauthError('method_not_allowed', `Use ${endpoint.methods.join(' or ')}.`, {
      headers: { allow: endpoint.methods.join(', ') },
    });
  }
  if (!(await services.store.tenants.get(route.tenant))) throw notFound();
  const post = method === 'POST';
  if (post && question !== -1 && question < target.length - 1) {
    throw oauthError('invalid_request', 'Parameters must be sent in the request body, not the URL.');
  }
  const form = post
    ? await readForm(request, services.config.limits.maxBodyBytes)
    : new Map<string, string>();
  const idpRequest: IdpRequest = {
    method,
    route,
    realm: resolved.realm,
    base,
    endpointUrl: resolved.endpointUrl,
    headers: request.headers,
    form,
    peer: peerOf(request),
    remoteAddress: request.socket.remoteAddress ?? '',
  };
  return endpoint.handler(idpRequest, services);
}

/** Writes a handler's answer (no body for HEAD), unless the response is already gone. */
export function write(request: IncomingMessage, response: ServerResponse, result: IdpResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(result.status, { ...result.headers, 'content-length': Buffer.byteLength(result.body) });
  response.end(request.method === 'HEAD' ? undefined : result.body);
}

/**
 * A listener of its own paths (the browser pages of `idp/browser`): it answers and returns true when the
 * path is one of them, else returns false at once and the protocol endpoints below get the request.
 */
export type PageListener = (request: IncomingMessage, response: ServerResponse) => boolean;

/** The request listener; `base` is the server's base URL, known once it listens. */
export function createRouter(
  services: IdpServices,
  base: () => string,
  pages: readonly PageListener[] = [],
): (request: IncomingMessage, response: ServerResponse) => void {
  const routes = new RouteCache(services.config.profiles);
  return (request, response) => {
    if (pages.some((listener) => listener(request, response))) return;
    answer(request, services, base(), routes).then(
      (result) => write(request, response, result),
      (error: unknown) => {
        // A client that went away mid-body needs no answer, and is no server fault.
        if (request.socket?.destroyed !== false && !isProtocolError(error)) return;
        // An unavailable store is an outage, not a bug: one warning with its reason, no stack per request.
        if (isTokenguardError(error) && error.code === 'serviceUnavailable') {
          services.logger.warn(
            { error_reason: error.reason, error_detail: error.detail },
            'request failed: a service is unavailable',
          );
        } else if (!isProtocolError(error)) services.logger.error({ err: error }, 'request failed');
        write(request, response, errorResponse(error, base()));
      },
    );
  };
}

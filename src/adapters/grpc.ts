/**
 * @module adapters/grpc
 * gRPC server adapter (`tokenguard/grpc`): wraps the handlers of a service implementation so that each runs
 * only for an authenticated (and authorized) call. The bearer token comes from the `authorization` call
 * metadata (the configured header and scheme, `Bearer` matched case-insensitively); the pipeline is the
 * one every adapter shares. A failure answers the call with the error's gRPC status (Unauthenticated,
 * PermissionDenied, Unavailable with `retry-after` trailing metadata, InvalidArgument) and its public
 * message, never the detail. Handlers read the principal with `principalOf(call)`.
 *
 * @example
 * server.addService(Greeter.service, protectService(auth, {
 *   SayHello(call, callback) { callback(null, { message: `Hello, ${principalOf(call)?.subject}` }); },
 * }, { authorize: { SayHello: requireRole({ namespace: 'my_service', role: 'admin' }) } }));
 */
import type { Metadata, StatusObject, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Authorizer } from '../authz/types.ts';
import type { Principal } from '../claims/types.ts';
import { configInvalid, DEFAULT_MESSAGES, type TokenguardError } from '../errors/tokenguard-error.ts';
import { type GrpcModule, loadGrpc } from '../grpc/peers.ts';
import type { Logger } from '../observability/logger.ts';
import { requestIdOf } from '../observability/request-id.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { errorResponse } from './respond.ts';

export interface ProtectServiceOptions {
  /**
   * Authorization of every method, or per method name (as the implementation names it; unnamed methods
   * get the authenticator's own). Default: the authenticator's `authorize` option, if any.
   */
  authorize?: Authorizer | Readonly<Record<string, Authorizer>>;
  /** Where `error in response` lines go. */
  logger?: Logger;
}

/** The status a failed call is answered with (grpc-js' `ServerStatusResponse`). */
type Status = Partial<StatusObject>;

/** What the adapter needs of any server call: unary, client-, server- or bidi-streaming. */
interface ServerCall {
  readonly metadata: Metadata;
  emit(event: 'error', status: Status): boolean;
}

/** Unary and client-streaming handlers answer through `callback`; streaming responses through the call. */
type Handler = (this: unknown, call: ServerCall, callback?: sendUnaryData<unknown>) => void;

/** A WeakMap rather than a property: grpc-js' call objects stay as grpc-js made them. */
const principals = new WeakMap<object, Principal>();

/** The principal of a call admitted by `protectService`; undefined for any other call. */
export function principalOf(call: object): Principal | undefined {
  return principals.get(call);
}

export function protectService<Implementation extends UntypedServiceImplementation>(
  authenticator: Authenticator,
  implementation: Implementation,
  options: ProtectServiceOptions = {},
): Implementation {
  // Imported now, used for the trailing metadata of failures: by the first call it has long resolved. A
  // grpc-js this package cannot import (the server's copy lives elsewhere) costs only that trailer.
  const grpc = loadGrpc().catch(() => undefined);
  const methods = methodNames(implementation);
  const authorizerOf = authorizers(options.authorize, methods);
  const { messages } = authenticator.config;

  const fail = (
    call: ServerCall,
    callback: sendUnaryData<unknown> | undefined,
    failure: unknown,
    id: string,
  ) => {
    const { error } = errorResponse(authenticator, failure, options.logger, id);
    const details = messages[error.code as keyof typeof messages] ?? DEFAULT_MESSAGES[error.code];
    void grpc.then((module) => {
      const status: Status = { code: error.grpcStatus, details, metadata: trailers(module, error) };
      if (callback) callback(status);
      else call.emit('error', status);
    });
  };

  const guard = (handler: Handler, authorize: Authorizer | undefined): Handler =>
    function guarded(call, callback) {
      const request = { headers: headersOf(call.metadata) };
      const requestId = requestIdOf(request.headers);
      const pass = (principal: Principal) => {
        principals.set(call, principal);
        // Errors of the handler itself are the application's: they propagate as they would without us.
        handler.call(implementation, call, callback);
      };
      let principal: Principal | undefined;
      try {
        principal = authenticator.checkCached(request, { authorize });
      } catch (failure) {
        return fail(call, callback, failure, requestId);
      }
      if (principal) return pass(principal);
      authenticator.check(request, { authorize, requestId }).then(pass, (failure: unknown) => {
        fail(call, callback, failure, requestId);
      });
    };

  const wrapped: Record<string, Handler> = {};
  for (const name of methods) {
    wrapped[name] = guard(implementation[name] as unknown as Handler, authorizerOf(name));
  }
  return wrapped as unknown as Implementation;
}

/**
 * Every method of the implementation: own functions of a plain object, and the prototype methods of a
 * class instance (grpc-js looks handlers up by name, through the prototype chain).
 */
function methodNames(implementation: object): string[] {
  const names = new Set<string>();
  for (
    let object: object | null = implementation;
    object !== null && object !== Object.prototype;
    object = Object.getPrototypeOf(object)
  ) {
    for (const name of Object.getOwnPropertyNames(object)) {
      const value = (implementation as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** One authorizer for all, or a map by method name whose names must all exist (a typo would leave a gap). */
function authorizers(
  authorize: ProtectServiceOptions['authorize'],
  methods: readonly string[],
): (method: string) => Authorizer | undefined {
  if (authorize === undefined) return () => undefined;
  if (typeof authorize.check === 'function') return () => authorize as Authorizer;
  const byMethod = authorize as Readonly<Record<string, Authorizer>>;
  for (const name of Object.keys(byMethod)) {
    if (!methods.includes(name)) throw configInvalid(`authorize.${name}`, 'names no method of the service');
  }
  return (method) => (Object.hasOwn(byMethod, method) ? byMethod[method] : undefined);
}

/** Call metadata as the request headers of the pipeline (names are lower case in both). */
function headersOf(metadata: Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** `retry-after` (seconds) for a 503, as the HTTP adapters send `Retry-After`. */
function trailers(grpc: GrpcModule | undefined, error: TokenguardError): Metadata | undefined {
  if (!grpc || error.retryAfter === undefined || error.code !== 'serviceUnavailable') return undefined;
  const metadata = new grpc.Metadata();
  metadata.set('retry-after', String(error.retryAfter));
  return metadata;
}

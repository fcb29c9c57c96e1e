/**
 * @module grpc/grpc-transport
 * RFC 7662 introspection over gRPC (`idp_token.IDPTokenService/IntrospectToken`, go-authkit §7), behind the
 * same `IntrospectionTransport` contract as the HTTP transport: nothing above it knows which one ran.
 *
 * One persistent channel per transport (HTTP/2, multiplexed, keep-alive), a deadline on every call, our
 * credentials as `authorization: Bearer …` metadata (the same `clientAuth` config as over HTTP: a static
 * `accessToken` or the client-credentials token), replaced by the server's `x-session-id` once it gave one.
 * Failures map to the same `serviceUnavailable` reasons; those that another endpoint could cure (server
 * down, broken answer) are retried on the static HTTP endpoint when one is given as `fallback`.
 */
import { createHash } from 'node:crypto';
import type { Client, Metadata, MethodDefinition } from '@grpc/grpc-js';
import type { AuthConfig } from '../config/schema.ts';
import type { MetadataSource } from '../discovery/types.ts';
import {
  configInvalid,
  isTokenguardError,
  serviceUnavailable,
  type TokenguardError,
} from '../errors/tokenguard-error.ts';
import {
  type ClientAuth,
  type ClientAuthDeps,
  createClientAuth,
  resolveClientAuthMethod,
} from '../introspection/client-auth.ts';
import type {
  IntrospectionAnswer,
  IntrospectionTransport,
  IntrospectOptions,
} from '../introspection/types.ts';
import { type HttpClient, USER_AGENT } from '../util/http-client.ts';
import { fromIntrospectTokenResponse } from './answer.ts';
import { channelCredentials, readGrpcTls } from './credentials.ts';
import {
  type IntrospectionScopeFilter,
  type IntrospectTokenRequest,
  type IntrospectTokenResponse,
  METADATA,
} from './messages.ts';
import type { GrpcModule } from './peers.ts';
import { type IdpTokenProto, loadIdpTokenProto } from './proto.ts';
import { allowsFallback, callError } from './status.ts';

type IntrospectionConfig = AuthConfig['introspection'];

export interface GrpcIntrospectionDeps {
  /**
   * Fetches our token from the token endpoint (`client_credentials`); owned by the caller, never closed
   * here. Required for that method only, with `metadata` when the token endpoint is discovered.
   */
  http?: HttpClient;
  metadata?: MetadataSource;
  /** The static HTTP endpoint's transport, asked when the gRPC server cannot answer. Owned by the caller. */
  fallback?: IntrospectionTransport;
  now?: () => number;
  /** Deadline of one call, in milliseconds; default `auth.introspection.grpc.requestTimeout`. */
  requestTimeoutMs?: number;
  /** Reads the TLS files (tests may inject). */
  readFile?: (path: string) => Buffer;
}

/**
 * Channel options. The keep-alive ping interval is the shortest that gRPC servers accept by default
 * (grpc-go's enforcement policy answers more frequent pings with GOAWAY "too_many_pings"); pings are only
 * sent while calls are in flight. Round-robin over every address the endpoint resolves to, as go-authkit,
 * so that replicas of the IdP share the load instead of one pinned HTTP/2 connection taking it all.
 * Answers are capped at 1 MiB, as HTTP answers are.
 */
const CHANNEL_OPTIONS = {
  'grpc.primary_user_agent': USER_AGENT,
  'grpc.keepalive_time_ms': 300_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.max_receive_message_length': 1 << 20,
};

/** Methods whose credentials fit in `authorization: Bearer …` metadata (or need none, as with mTLS). */
const GRPC_CLIENT_AUTH = new Set(['none', 'bearer', 'client_credentials']);

/** A request id worth propagating (the rule of the HTTP transport); anything else is not sent. */
const REQUEST_ID = /^[\x20-\x7e]{1,256}$/;

/** A session id we can send back as metadata (printable ASCII); anything else is not remembered. */
const SESSION_ID = /^[\x20-\x7e]{1,1024}$/;

/** What identifies us on one call: the server's session id, else our access token (if any). */
interface Credentials {
  sessionId?: string;
  authorization?: string;
}

export class GrpcIntrospectionTransport implements IntrospectionTransport {
  /**
   * `grpc://<endpoint>|<client identity>[ mtls=<certificate digest>]|<scope filter rns>`, e.g.
   * `grpc://idp:50051|bearer:sha256=1f2e3d4c5b6a|my_service`. Part of every cache key; never a secret.
   */
  readonly id: string;
  readonly #grpc: GrpcModule;
  readonly #client: Client;
  readonly #method: MethodDefinition<IntrospectTokenRequest, IntrospectTokenResponse>;
  readonly #auth: ClientAuth;
  readonly #fallback: IntrospectionTransport | undefined;
  readonly #scopeFilter: IntrospectionScopeFilter[];
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #endpoint: string;
  /** How errors name the server: `gRPC <endpoint>`. */
  readonly #source: string;
  #sessionId: string | undefined;
  #closed = false;

  /** Synchronous, for callers that loaded the protocol already; `createGrpcIntrospectionTransport` loads it. */
  constructor(proto: IdpTokenProto, config: IntrospectionConfig, deps: GrpcIntrospectionDeps = {}) {
    checkGrpcIntrospectionConfig(config);
    const endpoint = config.grpc.endpoint.trim();
    this.#grpc = proto.grpc;
    this.#method = proto.service.IntrospectToken;
    this.#endpoint = endpoint;
    this.#source = `gRPC ${endpoint}`;
    this.#now = deps.now ?? Date.now;
    this.#timeoutMs = deps.requestTimeoutMs ?? config.grpc.requestTimeout;
    this.#fallback = deps.fallback;
    this.#scopeFilter = config.scopeFilter.map((filter) => ({ resource_namespace: filter.rn }));
    this.#auth = grpcClientAuth(config, deps, this.#now);
    const tls = readGrpcTls(config.grpc.tls, deps.readFile);
    const rns = [...new Set(config.scopeFilter.map((filter) => filter.rn))].sort().join(',');
    // With mutual TLS the certificate is part of who we are to the IdP (it may answer per client).
    const mtls = tls?.cert ? ` mtls=${createHash('sha256').update(tls.cert).digest('hex').slice(0, 12)}` : '';
    this.id = `grpc://${endpoint}|${this.#auth.identity}${mtls}|${rns}`;
    // Last: the channel exists only once everything else is known to be valid.
    this.#client = new proto.grpc.Client(endpoint, channelCredentials(proto.grpc, tls), CHANNEL_OPTIONS);
  }

  async introspect(token: string, options: IntrospectOptions = {}): Promise<IntrospectionAnswer> {
    try {
      return await this.#introspect(token, options);
    } catch (error) {
      const fallback = this.#fallback;
      if (!fallback || !isTokenguardError(error) || !allowsFallback(error) || options.signal?.aborted) {
        throw error;
      }
      try {
        return await fallback.introspect(token, options);
      } catch (second) {
        throw bothFailed(error, second);
      }
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#client.close();
    return Promise.resolve();
  }

  /** One call; after a refusal of our credentials, one more with fresher ones when there are any. */
  async #introspect(token: string, options: IntrospectOptions): Promise<IntrospectionAnswer> {
    const first = await this.#credentials();
    try {
      return await this.#call(token, first, options);
    } catch (error) {
      if (!isTokenguardError(error) || error.reason !== 'idp_rejected_our_credentials') throw error;
      const second = await this.#retryCredentials(first);
      if (second === undefined) throw error;
      return this.#call(token, second, options);
    }
  }

  async #credentials(): Promise<Credentials> {
    if (this.#sessionId !== undefined) return { sessionId: this.#sessionId };
    const headers: Record<string, string> = {};
    await this.#auth.apply({ headers, params: new URLSearchParams() }, this.#endpoint);
    return { authorization: headers.authorization };
  }

  /**
   * Credentials worth a second call after `first` was refused: our token again when the refusal was of a
   * session the server no longer knows (the failed call forgot it); a fresh token when ours can be
   * renewed (expired early, revoked, rotated keys). Undefined when the second call would ask the same.
   */
  async #retryCredentials(first: Credentials): Promise<Credentials | undefined> {
    if (first.sessionId !== undefined) return this.#credentials();
    if (!this.#auth.refreshable) return undefined;
    this.#auth.invalidate();
    const second = await this.#credentials();
    return second.authorization === first.authorization ? undefined : second;
  }

  #call(token: string, credentials: Credentials, options: IntrospectOptions): Promise<IntrospectionAnswer> {
    const { signal, requestId } = options;
    if (signal?.aborted) {
      return Promise.reject(serviceUnavailable('idp_timeout', `${this.#source}: cancelled before the call`));
    }
    // grpc-js throws (not a status) on a closed channel; the contract is a 503 like every other failure.
    if (this.#closed) return Promise.reject(serviceUnavailable('idp_unavailable', `${this.#source}: closed`));
    const metadata = new this.#grpc.Metadata();
    if (credentials.sessionId !== undefined) metadata.set(METADATA.sessionId, credentials.sessionId);
    else if (credentials.authorization) metadata.set(METADATA.authorization, credentials.authorization);
    if (requestId && REQUEST_ID.test(requestId)) metadata.set(METADATA.requestId, requestId);
    const request: IntrospectTokenRequest = { token, scope_filter: this.#scopeFilter };
    const method = this.#method;
    return new Promise((resolve, reject) => {
      let header: Metadata | undefined;
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        // The deadline is wall-clock time for grpc-js, whatever clock the transport was given.
        { deadline: Date.now() + this.#timeoutMs },
        (error, response) => {
          signal?.removeEventListener('abort', cancel);
          if (error) {
            const failure = callError(error, header, this.#source, this.#now());
            if (failure.reason === 'idp_rejected_our_credentials') this.#forgetSession(credentials.sessionId);
            reject(failure);
            return;
          }
          this.#rememberSession(header);
          try {
            resolve(fromIntrospectTokenResponse(response as IntrospectTokenResponse, this.#source));
          } catch (failure) {
            reject(failure);
          }
        },
      );
      const cancel = () => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      call.on('metadata', (received: Metadata) => {
        header = received;
      });
    });
  }

  /** go-authkit's session: the server names one in header metadata; later calls send it instead of a token. */
  #rememberSession(header: Metadata | undefined): void {
    const value = header?.get(METADATA.sessionId)[0];
    if (typeof value === 'string' && SESSION_ID.test(value)) this.#sessionId = value;
  }

  /** Drops a refused session, unless a concurrent call has replaced it already. */
  #forgetSession(sessionId: string | undefined): void {
    if (sessionId !== undefined && this.#sessionId === sessionId) this.#sessionId = undefined;
  }
}

/**
 * The checks that need no file and no network, so that callers can run them before building anything
 * else (the HTTP fallback, say): an endpoint, and no demand for signed answers.
 */
export function checkGrpcIntrospectionConfig(config: IntrospectionConfig): void {
  if (!config.grpc.endpoint.trim()) {
    throw configInvalid('auth.introspection.grpc.endpoint', 'is required (host:port)');
  }
  if (config.accept === 'jwt') {
    // RFC 9701 signed answers exist over HTTP only; taking unsigned gRPC ones instead would be a downgrade.
    throw configInvalid('auth.introspection.accept', 'jwt (signed answers) is not available over gRPC');
  }
}

/**
 * Our client authentication as call metadata. Methods that put credentials in a form body or a Basic
 * header have no gRPC form (go-authkit sends a bearer token only); `client_credentials` needs the HTTP
 * client and metadata source its token endpoint is reached through.
 */
function grpcClientAuth(
  config: IntrospectionConfig,
  deps: GrpcIntrospectionDeps,
  now: () => number,
): ClientAuth {
  const method = resolveClientAuthMethod(config.clientAuth);
  if (!GRPC_CLIENT_AUTH.has(method)) {
    throw configInvalid(
      'auth.introspection.clientAuth.method',
      `${method} cannot be sent over gRPC; use bearer (accessToken), client_credentials or none (mTLS)`,
    );
  }
  if (method === 'client_credentials' && (!deps.http || !deps.metadata)) {
    throw configInvalid(
      'auth.introspection.clientAuth.method',
      'client_credentials over gRPC needs an HTTP client and a metadata source for the token endpoint',
    );
  }
  // http and metadata are read by client_credentials only, which has both (checked above).
  return createClientAuth(config, { http: deps.http, metadata: deps.metadata, now } as ClientAuthDeps);
}

/** Both endpoints failed: one 503 that names both causes, with the fallback's reason and Retry-After. */
function bothFailed(grpcError: TokenguardError, httpError: unknown): unknown {
  if (!isTokenguardError(httpError) || httpError.code !== 'serviceUnavailable') return httpError;
  return serviceUnavailable(
    httpError.reason,
    `${grpcError.detail}; HTTP fallback: ${httpError.detail ?? httpError.message}`,
    httpError.retryAfter,
    new AggregateError([grpcError, httpError]),
  );
}

/** The transport of `config.grpc.endpoint`; imports the optional gRPC peers on first use. */
export async function createGrpcIntrospectionTransport(
  config: IntrospectionConfig,
  deps: GrpcIntrospectionDeps = {},
): Promise<GrpcIntrospectionTransport> {
  return new GrpcIntrospectionTransport(await loadIdpTokenProto(), config, deps);
}

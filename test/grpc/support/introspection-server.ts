/**
 * @module test/grpc/support/introspection-server
 * A real `idp_token.IDPTokenService` server for tests, built from `proto/idp_token.proto`, behaving as
 * go-authkit's example gRPC introspection server: a call must carry
 * `authorization: Bearer access-token-with-introspection-permission` (else Unauthenticated); known tokens
 * are active with their claims (access policies filtered by the request's `scope_filter`), unknown ones
 * inactive. It can also hand out `x-session-id`s and accept them instead of the token (go-authkit's
 * session), serve TLS or mutual TLS, and let a test answer calls itself (`handler`). It records every call.
 */
import { toIntrospectTokenResponse } from '../../../src/grpc/answer.ts';
import type { IntrospectTokenRequest } from '../../../src/grpc/messages.ts';
import {
  type IdpTokenProto,
  type IdpTokenServiceHandlers,
  loadIdpTokenProto,
} from '../../../src/grpc/proto.ts';
import type { IntrospectionAnswer } from '../../../src/introspection/types.ts';
import { type RunningGrpcServer, serveGrpc } from './serve.ts';

/** The caller token of go-authkit's examples (seed 000). */
export const INTROSPECTOR_TOKEN = 'access-token-with-introspection-permission';

export interface RecordedCall {
  request: IntrospectTokenRequest;
  /** The call's metadata, single-valued (grpc-js `getMap`). */
  metadata: Record<string, unknown>;
}

export type Handler = IdpTokenServiceHandlers['IntrospectToken'];
type IntrospectCall = Parameters<Handler>[0];
type IntrospectCallback = Parameters<Handler>[1];

export interface ServerTls {
  /** CA that client certificates must chain to; with `requireClientCert`, mutual TLS. */
  ca?: Buffer;
  cert: Buffer;
  key: Buffer;
  requireClientCert?: boolean;
}

export class TestIntrospectionServer {
  readonly calls: RecordedCall[] = [];
  /** Active tokens and their claims (the answer is `{active: true, ...claims}`). */
  readonly tokens = new Map<string, Record<string, unknown>>();
  /** Consulted for tokens not in `tokens` (a test may ask another IdP); undefined = inactive. */
  lookup?: (token: string) => Promise<IntrospectionAnswer | undefined>;
  /** The bearer token a caller must present. */
  acceptedToken = INTROSPECTOR_TOKEN;
  /** Hand out an `x-session-id` (header metadata) to every caller that presented the token. */
  issueSessions = false;
  /** Answers authorized calls instead of the token lookup. */
  handler?: Handler;
  readonly #sessions = new Set<string>();
  #sessionsIssued = 0;
  #running: RunningGrpcServer | undefined;

  async start(tls?: ServerTls): Promise<this> {
    const proto = await loadIdpTokenProto();
    const server = new proto.grpc.Server();
    const { status } = proto.grpc;
    const handlers: IdpTokenServiceHandlers = {
      IntrospectToken: (call, callback) => {
        this.#introspect(proto, call, callback).catch((error: unknown) =>
          callback({ code: status.INTERNAL, details: String(error) }),
        );
      },
      CreateToken: (_call, callback) =>
        callback({ code: status.UNIMPLEMENTED, details: 'CreateToken is not served here' }),
    };
    server.addService(proto.service, handlers);
    const credentials = tls
      ? proto.grpc.ServerCredentials.createSsl(
          tls.ca ?? null,
          [{ cert_chain: tls.cert, private_key: tls.key }],
          tls.requireClientCert ?? false,
        )
      : proto.grpc.ServerCredentials.createInsecure();
    this.#running = await serveGrpc(server, credentials);
    return this;
  }

  /** `127.0.0.1:<port>`. */
  get endpoint(): string {
    if (!this.#running) throw new Error('the server is not started');
    return this.#running.endpoint;
  }

  /** Forgets every session handed out, as a restarted server would. */
  forgetSessions(): void {
    this.#sessions.clear();
  }

  stop(): void {
    this.#running?.stop();
  }

  async #introspect(proto: IdpTokenProto, call: IntrospectCall, callback: IntrospectCallback): Promise<void> {
    this.calls.push({ request: call.request, metadata: call.metadata.getMap() });
    if (!this.#authorize(proto, call)) {
      callback({ code: proto.grpc.status.UNAUTHENTICATED, details: 'the caller may not introspect' });
      return;
    }
    if (this.handler) return this.handler(call, callback);
    const { token, scope_filter: filter = [] } = call.request;
    const claims = this.tokens.get(token);
    const answer = claims ? { ...claims, active: true } : await this.lookup?.(token);
    callback(null, toIntrospectTokenResponse(filterScope(answer ?? { active: false }, filter)));
  }

  /** A known session id, or the accepted bearer token (which earns a session when they are handed out). */
  #authorize(proto: IdpTokenProto, call: IntrospectCall): boolean {
    const { metadata } = call;
    const session = metadata.get('x-session-id')[0];
    if (typeof session === 'string') return this.#sessions.has(session);
    if (metadata.get('authorization')[0] !== `Bearer ${this.acceptedToken}`) return false;
    if (this.issueSessions) {
      const id = `session-${++this.#sessionsIssued}`;
      this.#sessions.add(id);
      const header = new proto.grpc.Metadata();
      header.set('x-session-id', id);
      call.sendMetadata(header);
    }
    return true;
  }
}

/** The IdP's side of go-authkit's scope filter: only access policies of the requested namespaces. */
function filterScope(
  answer: IntrospectionAnswer,
  filter: readonly { resource_namespace: string }[],
): IntrospectionAnswer {
  if (filter.length === 0 || !Array.isArray(answer.scope)) return answer;
  const namespaces = new Set(filter.map((entry) => entry.resource_namespace));
  const scope = (answer.scope as Array<{ rn?: string } | string>).filter(
    (policy) => typeof policy === 'object' && namespaces.has(policy.rn ?? ''),
  );
  return { ...answer, scope } as IntrospectionAnswer;
}

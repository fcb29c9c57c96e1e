/**
 * @module test/grpc/support/serve
 * Serving a grpc-js server on loopback (127.0.0.1, port 0) for a test, and stopping it the way a crashed
 * or redeployed server stops: at once, every connection dropped.
 */
import type { Server, ServerCredentials } from '@grpc/grpc-js';

export interface RunningGrpcServer {
  /** `127.0.0.1:<port>`, as `auth.introspection.grpc.endpoint` takes it. */
  readonly endpoint: string;
  /** Drops every connection and stops listening. */
  stop(): void;
}

export function serveGrpc(server: Server, credentials: ServerCredentials): Promise<RunningGrpcServer> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
      if (error) return reject(error);
      resolve({ endpoint: `127.0.0.1:${port}`, stop: () => server.forceShutdown() });
    });
  });
}

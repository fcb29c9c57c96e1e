/**
 * @module test/grpc/support/greeter
 * A user's gRPC service (`greeter.proto`, not tokenguard's): its service definition and typed clients.
 */
import { fileURLToPath } from 'node:url';
import {
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  credentials,
  loadPackageDefinition,
  type Metadata,
  type ServiceClientConstructor,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { load } from '@grpc/proto-loader';

export interface HelloRequest {
  name: string;
}

export interface HelloReply {
  message: string;
}

type Callback = (error: ServiceError | null, reply?: HelloReply) => void;

export interface GreeterClient extends Client {
  SayHello(request: HelloRequest, metadata: Metadata, callback: Callback): ClientUnaryCall;
  Admin(request: HelloRequest, metadata: Metadata, callback: Callback): ClientUnaryCall;
  Countdown(request: HelloRequest, metadata: Metadata): ClientReadableStream<HelloReply>;
}

export interface Greeter {
  service: ServiceDefinition;
  /** A plaintext client of the server at `endpoint`. */
  client(endpoint: string): GreeterClient;
}

export async function loadGreeter(): Promise<Greeter> {
  const definition = await load(fileURLToPath(new URL('./greeter.proto', import.meta.url)), {
    keepCase: true,
  });
  const { Greeter } = loadPackageDefinition(definition).greeter as Record<string, ServiceClientConstructor>;
  return {
    service: Greeter.service,
    client: (endpoint) => new Greeter(endpoint, credentials.createInsecure()) as unknown as GreeterClient,
  };
}

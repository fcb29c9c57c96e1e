/**
 * gRPC introspection server of seed 000 (`node examples/token-introspection/grpc-server/main.ts`): the IdP
 * test server with its gRPC service (idp_token.IDPTokenService) on 127.0.0.1:50051 besides HTTP on
 * 127.0.0.1:8081. Run it instead of `examples/idp-test-server/main.ts` (both use port 8081), then point the
 * service at it with `auth.introspection.grpc.endpoint` (`config.grpc.yaml`). Same flags as the IdP test
 * server: `--port`, `--grpc-port`, `--grpc-tls-cert` / `--grpc-tls-key`, `--config`.
 */
import { startExampleIdp } from '../../idp-test-server/idp.ts';

await startExampleIdp('grpc-server', process.argv.slice(2), { grpc: true });

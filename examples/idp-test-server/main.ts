/**
 * IdP test server of seed 000 (`node examples/idp-test-server/main.ts`): tokenguard's real IdP on
 * 127.0.0.1:8081 with the clients `user`, `admin`, `admin2`, `my-service` and the static introspection
 * token of `config.yaml`. Flags: `--port`, `--grpc`, `--grpc-port`, `--config` (see `idp.ts`).
 */
import { startExampleIdp } from './idp.ts';

await startExampleIdp('idp-test-server');

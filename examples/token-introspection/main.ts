/**
 * Token-introspection example of seed 000 (`node examples/token-introspection/main.ts`): a service on
 * 127.0.0.1:8080 that introspects bearer tokens at the IdP test server (endpoint by discovery, a static
 * `auth.introspection.endpoint`, or gRPC with `auth.introspection.grpc.endpoint`) and authorizes `/admin`
 * by the introspected scope. Needs `examples/idp-test-server/main.ts` (or `grpc-server/main.ts`) running.
 * Flags: `--config <file>` (default `config.yaml` beside this file), `--port`, `--host`.
 */
import { runService } from './service.ts';

await runService('token-introspection', import.meta.dirname);

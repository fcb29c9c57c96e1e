/**
 * Authn-middleware example (`node examples/authn-middleware/main.ts`): the service of seed 000 on
 * 127.0.0.1:8080 verifying JWT access tokens locally against the trusted issuers of `config.yaml` (the IdP
 * test server); `GET /` answers `Hello, <sub>`. Flags: `--config <file>`, `--port`, `--host`.
 */
import { runService } from '../token-introspection/service.ts';

await runService('authn-middleware', import.meta.dirname);

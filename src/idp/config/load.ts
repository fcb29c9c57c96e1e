/**
 * @module idp/config/load
 * Loading the IdP's `idp` section the way the library loads its `auth` section (`config/load`): a YAML or
 * JSON file, then environment overrides `<PREFIX>_IDP_<PATH>` (`TOKENGUARD_IDP_PORT=9000`,
 * `TOKENGUARD_IDP_TOKENS_ACCESSTOKENTTL=15m`), then explicit overrides (command-line flags), then the schema.
 * A bad value stops start-up with the key's path: `idp.clients.0.tenant: unknown tenant "x"`.
 */
import { applyEnv, configRejection, readConfigFile } from '../../config/load.ts';
import { configInvalid } from '../../errors/tokenguard-error.ts';
import { type IdpConfig, idpConfigSchema } from './schema.ts';

export const IDP_SECTION = 'idp';

export interface LoadIdpConfigOptions {
  /** YAML or JSON file holding an `idp` section. */
  file?: string;
  /** Environment to read overrides from; default none. Pass `process.env` to enable. */
  env?: Record<string, string | undefined>;
  /** Environment variable prefix; default `TOKENGUARD`. */
  envPrefix?: string;
  /** Top-level keys set last (command-line flags such as `--host` and `--port`). */
  overrides?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const DEFAULTS = idpConfigSchema.parse({}) as unknown as Json;

/** Validates an `idp` section object, filling defaults. */
export function parseIdpConfig(raw: unknown): IdpConfig {
  const result = idpConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw configRejection(result.error.issues, IDP_SECTION);
  return result.data;
}

/** Loads the IdP config: file section, environment, overrides, then validation and defaults. */
export function loadIdpConfig(options: LoadIdpConfigOptions = {}): IdpConfig {
  let raw: Json = {};
  if (options.file) {
    const value = readConfigFile(options.file)[IDP_SECTION];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw configInvalid(IDP_SECTION, 'must be a mapping of keys');
    }
    raw = (value as Json | undefined) ?? {};
  }
  if (options.env) raw = applyEnv(raw, options.env, options.envPrefix ?? 'TOKENGUARD', IDP_SECTION, DEFAULTS);
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) raw = { ...raw, [key]: value };
  }
  return parseIdpConfig(raw);
}

/**
 * @module config/load
 * Loading the `auth` section from YAML or JSON files, environment variables and objects, validated by the
 * one schema. A bad value is rejected at start-up with the key's full path
 * (`auth.introspection.claimsCache.ttl: "xx" is not a duration`).
 *
 * Environment variables override the file, go-authkit / viper style: `<PREFIX>_AUTH_<PATH>` with the path's
 * keys upper-cased and joined by `_` (`MY_SERVICE_AUTH_INTROSPECTION_ENDPOINT`,
 * `MY_SERVICE_AUTH_INTROSPECTION_CLAIMSCACHE_TTL=30s`). Lists are comma-separated or JSON.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { configRejection } from './rejection.ts';
import { type AuthConfig, authConfigSchema } from './schema.ts';

export { configRejection } from './rejection.ts';

export interface LoadConfigOptions {
  /** YAML or JSON file holding the section (JSON is YAML). */
  file?: string;
  /** The section of the file holding the auth config; default `auth`. */
  section?: string;
  /** Environment to read overrides from; default none. Pass `process.env` to enable. */
  env?: Record<string, string | undefined>;
  /** Environment variable prefix; default `TOKENGUARD`. */
  envPrefix?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a YAML/JSON document; syntax errors name the file and line. */
export function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configInvalid(
      file,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw configInvalid(file, (error as Error).message.split('\n')[0]);
  }
  if (document == null) return {};
  if (!isObject(document)) throw configInvalid(file, 'the document must be a mapping of keys');
  return document;
}

/** Validates an `auth` section object, filling defaults. */
export function parseAuthConfig(raw: unknown, prefix = 'auth'): AuthConfig {
  const result = authConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw configRejection(result.error.issues, prefix);
  return result.data;
}

/** Leaf paths of the config (from the defaults), for the environment mapping. */
function leafPaths(value: Json, path: string[] = [], out: string[][] = []): string[][] {
  for (const [key, child] of Object.entries(value)) {
    if (isObject(child) && Object.keys(child).length > 0) leafPaths(child, [...path, key], out);
    else out.push([...path, key]);
  }
  return out;
}

const AUTH_DEFAULTS = authConfigSchema.parse({}) as unknown as Json;

function envValue(text: string, sample: unknown): unknown {
  if (typeof sample === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  if (typeof sample === 'number') return /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (Array.isArray(sample) || isObject(sample)) {
    if (text.trim().startsWith('[') || text.trim().startsWith('{')) {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    return Array.isArray(sample)
      ? text
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : text;
  }
  return text;
}

/**
 * Overlays `<PREFIX>_<SECTION>_<PATH>` variables onto a raw section. The variable names and value types come
 * from `defaults`, the section's fully defaulted config (the library's `auth` section unless given).
 */
export function applyEnv(
  raw: Json,
  env: Record<string, string | undefined>,
  prefix: string,
  section: string,
  defaults: Json = AUTH_DEFAULTS,
): Json {
  const result = structuredClone(raw);
  for (const path of leafPaths(defaults)) {
    const name = [prefix, section, ...path].join('_').toUpperCase();
    const text = env[name];
    if (text === undefined) continue;
    let sample: unknown = defaults;
    let target: Json = result;
    for (const key of path.slice(0, -1)) {
      sample = (sample as Json)[key];
      if (!isObject(target[key])) target[key] = {};
      target = target[key] as Json;
    }
    const last = path[path.length - 1];
    target[last] = envValue(text, (sample as Json)[last]);
  }
  return result;
}

/** Loads the auth config: file section, then environment overrides, then validation and defaults. */
export function loadConfig(options: LoadConfigOptions = {}): AuthConfig {
  const section = options.section ?? 'auth';
  let raw: Json = {};
  if (options.file) {
    const document = readConfigFile(options.file);
    const value = document[section];
    if (value !== undefined && !isObject(value)) throw configInvalid(section, 'must be a mapping of keys');
    raw = (value as Json | undefined) ?? {};
  }
  if (options.env) raw = applyEnv(raw, options.env, options.envPrefix ?? 'TOKENGUARD', section);
  return parseAuthConfig(raw, section);
}

/**
 * @module gateway/config/load
 * Loading and validating the `gateway` section: the schema, then what a schema cannot say (every
 * authenticator is a valid `auth` section, route names are unique, a route names an authenticator that
 * exists). Every rejection names the key, array items by index:
 * `gateway.routes[2].upstream.urls[0]: must be an absolute http(s) URL`.
 */
import type { z } from 'zod';
import { applyEnv, parseAuthConfig, readConfigFile } from '../../config/load.ts';
import type { AuthConfig } from '../../config/schema.ts';
import { configInvalid, type TokenguardError } from '../../errors/tokenguard-error.ts';
import {
  type GatewayConfigInput,
  type GatewaySection,
  gatewaySchema,
  type RouteAuthConfig,
  type RouteConfig,
} from './schema.ts';

export const GATEWAY_SECTION = 'gateway';

/** A route as the gateway uses it: named, its authenticator resolved. */
export interface ResolvedRoute extends Omit<RouteConfig, 'auth'> {
  readonly index: number;
  /** The config key of the route (`gateway.routes[2]`), for messages. */
  readonly path: string;
  readonly auth: 'public' | (RouteAuthConfig & { readonly authenticator: string });
}

/** The validated gateway configuration, durations in milliseconds and sizes in bytes. */
export interface GatewayConfig extends Omit<GatewaySection, 'authenticators' | 'routes'> {
  /** Each authenticator's `auth` section, parsed by the library's schema. */
  readonly authenticators: Readonly<Record<string, AuthConfig>>;
  readonly routes: readonly ResolvedRoute[];
}

type Issue = z.core.$ZodIssue;

/** `gateway.routes[2].upstream.urls[0]`: keys joined by dots, array indexes in brackets. */
export function keyPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/**
 * The issue to report for a failed union (`auth: 'public' | {…}`, a role as string or object): the branch
 * whose own type matched, so the message names the inner key rather than "Invalid input".
 */
function unionBranch(issue: Issue): Issue[] | undefined {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return undefined;
  const typed = issue.errors.find((branch) =>
    branch.every((inner) => inner.path.length > 0 || !['invalid_type', 'invalid_value'].includes(inner.code)),
  );
  if (typed) return typed.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
  // No branch took the value's type: say what each would have taken.
  const expected = issue.errors.map((branch) => branch[0]?.message.replace(/^Invalid input: /, '') ?? '');
  return [{ ...issue, code: 'custom', message: `${expected.join(', or ')}` } as Issue];
}

function describeIssue(issue: Issue, prefix: string): string {
  const branch = unionBranch(issue);
  if (branch?.length) return describeIssue(branch[0], prefix);
  const path = keyPath(prefix, issue.path);
  if (issue.code === 'unrecognized_keys') return `${path}.${issue.keys[0]}: unknown key`;
  // A bad key of a record (a reserved header name): the key's own issue says what is wrong with it.
  if (issue.code === 'invalid_key' && issue.issues.length) return `${path}: ${issue.issues[0].message}`;
  return `${path}: ${issue.message}`;
}

/** The rejection of a section: the first issue's key as the error's path, every issue in the detail. */
export function gatewayRejection(issues: readonly Issue[], prefix = GATEWAY_SECTION): TokenguardError {
  const lines = issues.map((issue) => describeIssue(issue, prefix));
  const first = lines[0];
  const colon = first.indexOf(': ');
  const rest = lines.length > 1 ? `; ${lines.slice(1).join('; ')}` : '';
  return configInvalid(first.slice(0, colon), `${first.slice(colon + 2)}${rest}`);
}

function resolveAuthenticator(
  route: RouteConfig,
  path: string,
  names: readonly string[],
): ResolvedRoute['auth'] {
  if (route.auth === 'public') return 'public';
  const given = route.auth.authenticator;
  if (given === '') {
    if (names.length === 1) return { ...route.auth, authenticator: names[0] };
    throw configInvalid(
      `${path}.auth.authenticator`,
      names.length === 0
        ? 'no authenticator is configured (gateway.authenticators); write `auth: public` for an open route'
        : `name one of ${names.join(', ')} (several are configured)`,
    );
  }
  if (!names.includes(given)) {
    throw configInvalid(
      `${path}.auth.authenticator`,
      `unknown authenticator "${given}" (configured: ${names.join(', ') || 'none'})`,
    );
  }
  return route.auth as ResolvedRoute['auth'];
}

/** Configurations this module produced: parsing one again returns it as it is. */
const parsedConfigs = new WeakSet<object>();

/**
 * Validates a `gateway` section object, filling defaults. Throws `configInvalid` naming the key. A
 * configuration returned by this function is returned as it is.
 */
export function parseGatewayConfig(raw: unknown): GatewayConfig {
  if (typeof raw === 'object' && raw !== null && parsedConfigs.has(raw)) return raw as GatewayConfig;
  const result = gatewaySchema.safeParse(raw ?? {});
  if (!result.success) throw gatewayRejection(result.error.issues);
  const section = result.data;

  const authenticators: Record<string, AuthConfig> = {};
  for (const [name, auth] of Object.entries(section.authenticators)) {
    // The gateway's error domain is every authenticator's default, so one key names them all.
    authenticators[name] = parseAuthConfig(
      { errorDomain: section.errorDomain, ...auth },
      `${GATEWAY_SECTION}.authenticators.${name}`,
    );
  }
  const names = Object.keys(authenticators);
  const seen = new Map<string, number>();
  const routes = section.routes.map((route, index): ResolvedRoute => {
    const path = `${GATEWAY_SECTION}.routes[${index}]`;
    const name = route.name || `route-${index}`;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw configInvalid(`${path}.name`, `"${name}" is also the name of gateway.routes[${earlier}]`);
    }
    seen.set(name, index);
    return { ...route, name, index, path, auth: resolveAuthenticator(route, path, names) };
  });
  const config: GatewayConfig = { ...section, authenticators, routes };
  parsedConfigs.add(config);
  return config;
}

type Json = Record<string, unknown>;

const DEFAULTS = gatewaySchema.parse({}) as unknown as Json;

export interface LoadGatewayConfigOptions {
  /** YAML or JSON file holding a `gateway` section. */
  file: string;
  /** Environment overrides of scalar keys, `TOKENGUARD_GATEWAY_LISTEN_PORT=8080`; default none. */
  env?: Record<string, string | undefined>;
  /** Environment variable prefix; default `TOKENGUARD`. */
  envPrefix?: string;
}

/** Reads the raw `gateway` section of a file (and the environment), without validating it. */
export function readGatewaySection(options: LoadGatewayConfigOptions): GatewayConfigInput {
  const value = readConfigFile(options.file)[GATEWAY_SECTION];
  if (value === undefined)
    throw configInvalid(GATEWAY_SECTION, `missing: ${options.file} has no gateway section`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configInvalid(GATEWAY_SECTION, 'must be a mapping of keys');
  }
  let raw = value as Json;
  if (options.env) {
    raw = applyEnv(raw, options.env, options.envPrefix ?? 'TOKENGUARD', GATEWAY_SECTION, DEFAULTS);
  }
  return raw as GatewayConfigInput;
}

/** Loads and validates the `gateway` section of a file. */
export function loadGatewayConfig(options: LoadGatewayConfigOptions): GatewayConfig {
  return parseGatewayConfig(readGatewaySection(options));
}

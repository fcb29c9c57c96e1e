/**
 * @module config/reference
 * Renders the configuration reference (docs/CONFIG.md) from the schema itself, so the two cannot drift.
 */
import { z } from 'zod';
import { authConfigSchema } from './schema.ts';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  const?: unknown;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (schema.anyOf) {
    const kinds = schema.anyOf.map(typeOf).filter((kind) => kind !== '`""`');
    return kinds.includes('string') && kinds.includes('number')
      ? 'duration'
      : [...new Set(kinds)].join(' \\| ');
  }
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
  if (
    schema.type === 'object' &&
    schema.additionalProperties &&
    typeof schema.additionalProperties === 'object'
  ) {
    return `map of ${typeOf(schema.additionalProperties)}`;
  }
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
}

function rows(schema: JsonSchema, path: string, out: string[]): void {
  const isSection = schema.type === 'object' && schema.properties;
  if (isSection) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) rows(child, `${path}.${key}`, out);
    return;
  }
  const fallback = schema.default === undefined ? '' : `\`${JSON.stringify(schema.default)}\``;
  const description = (schema.description ?? '').replace(/\|/g, '\\|');
  out.push(`| \`${path}\` | ${typeOf(schema)} | ${fallback} | ${description} |`);
}

/**
 * One Markdown table row (`| key | type | default | description |`) per leaf key of a zod object schema,
 * keys prefixed with `root`. Shared by every config section's reference (the library's `auth`, the IdP's
 * `idp`).
 */
export function referenceRows(schema: z.ZodType, root: string): string[] {
  const lines: string[] = [];
  rows(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, root, lines);
  return lines;
}

export function renderConfigReference(): string {
  const lines = referenceRows(authConfigSchema, 'auth');
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; a test fails when it is stale. -->',
    '',
    'The `auth` section of a service config file (YAML or JSON), as read by `loadConfig({ file })` or passed to',
    '`createAuthenticator({ config })`. Durations are written `500ms`, `30s`, `1m`, `1h30m` (or milliseconds).',
    'Every key can be set from the environment: `<PREFIX>_AUTH_<PATH>` with the path upper-cased and joined',
    'by `_`, e.g. `TOKENGUARD_AUTH_INTROSPECTION_CLAIMSCACHE_TTL=30s` (lists: comma-separated or JSON).',
    'An invalid value stops start-up with an error naming the key.',
    '',
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...lines,
    '',
  ].join('\n');
}

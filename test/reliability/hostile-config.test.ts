/**
 * Hostile input, part 2: configuration. For every config section (the library's `auth`, the IdP's `idp`,
 * the gateway's `gateway`),
 * property-based tests take the fully defaulted config, break one key (a value of the wrong type, or an
 * unknown key beside it) and check that start-up refuses it with a `configInvalid` error naming that key's
 * path, never a crash, never a default silently used instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAuthConfig } from '../../src/config/load.ts';
import { isTokenguardError } from '../../src/errors/tokenguard-error.ts';
import { keyPath, parseGatewayConfig } from '../../src/gateway/config/load.ts';
import { gatewaySchema } from '../../src/gateway/config/schema.ts';
import { parseIdpConfig } from '../../src/idp/config/load.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object with members, or a list of such objects (routes): what the walks below descend into. */
const isBranch = (value: unknown): value is Json =>
  (isObject(value) && Object.keys(value).length > 0) ||
  (Array.isArray(value) && value.length > 0 && value.every(isObject));

/** Every leaf of a defaulted config: a path and its default value (empty objects are leaves: records). */
function leaves(value: Json, path: string[] = []): { path: string[]; value: unknown }[] {
  return Object.entries(value).flatMap(([key, child]) =>
    isBranch(child) ? leaves(child, [...path, key]) : [{ path: [...path, key], value: child }],
  );
}

/** Objects of the config that are fixed-key sections (strict), where an unknown key must be refused. */
function sections(value: Json, path: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, child]) => {
    if (!isBranch(child)) return [];
    const below = sections(child, [...path, key]);
    return Array.isArray(child) ? below : [[...path, key], ...below];
  });
}

/** A value no schema of the default's type accepts. */
function wrongFor(value: unknown): unknown[] {
  if (typeof value === 'boolean') return ['maybe', 2, [true]];
  if (typeof value === 'number') return ['many', -1.5, true, [1]];
  if (typeof value === 'string') return [{ nested: true }, [value], true];
  if (Array.isArray(value)) return [42, 'not-a-list', { a: 1 }];
  if (isObject(value)) return ['not-a-map', 7, [1]];
  return [{ unexpected: true }];
}

function setPath(target: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(target);
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Json;
  cursor[path.at(-1)!] = value;
  return copy;
}

function refusal(parse: () => unknown): { path: string; message: string } {
  try {
    parse();
  } catch (error) {
    assert.ok(isTokenguardError(error), `not a TokenguardError: ${String(error)}`);
    assert.equal(error.code, 'configInvalid');
    return { path: error.path ?? '', message: error.message };
  }
  assert.fail('the broken config was accepted');
}

/** `auth.httpClient.retries`: keys joined by dots. */
const dotted = (name: string, path: string[]) => [name, ...path].join('.');
/** `gateway.routes[0].upstream.urls`: list indexes in brackets, as the gateway's messages write them. */
const bracketed = (name: string, path: string[]) =>
  keyPath(
    name,
    path.map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
  );

const SECTIONS = [
  {
    name: 'auth',
    parse: (raw: unknown) => parseAuthConfig(raw),
    base: () => parseAuthConfig({}),
    pathOf: dotted,
  },
  {
    name: 'idp',
    parse: (raw: unknown) => parseIdpConfig(raw),
    base: () => parseIdpConfig({}),
    pathOf: dotted,
  },
  {
    // The schema's own output (the parsed config adds resolved fields), with one fully defaulted
    // authenticator and one route, so that every key of a route and of an `auth` section is broken too.
    name: 'gateway',
    parse: (raw: unknown) => parseGatewayConfig(raw),
    base: () =>
      gatewaySchema.parse({
        authenticators: { idp: JSON.parse(JSON.stringify(parseAuthConfig({}))) },
        routes: [{ name: 'orders', upstream: { urls: ['http://127.0.0.1:1'] } }],
      }),
    pathOf: bracketed,
  },
];

for (const { name, parse, base, pathOf } of SECTIONS) {
  describe(`hostile config: the ${name} section`, () => {
    const defaults = JSON.parse(JSON.stringify(base())) as Json;
    // Values of the defaulted output that are not valid inputs (durations become numbers, which are valid).
    const leafList = leaves(defaults).filter((leaf) => wrongFor(leaf.value).length > 0);

    it('accepts its own defaults', () => {
      assert.doesNotThrow(() => parse(defaults));
    });

    it('refuses a value of the wrong type, naming its key', () => {
      fc.assert(
        fc.property(fc.constantFrom(...leafList), fc.nat(), (leaf, pick) => {
          const candidates = wrongFor(leaf.value);
          const broken = setPath(defaults, leaf.path, candidates[pick % candidates.length]);
          let accepted = false;
          try {
            parse(broken);
            accepted = true;
          } catch {}
          // A few keys take unions wide enough for some wrong values (a string-or-list, say): only the
          // refusals are checked for their path, and most values must be refused.
          if (accepted) return;
          const { path } = refusal(() => parse(broken));
          const expected = pathOf(name, leaf.path);
          assert.ok(
            path.startsWith(expected) || expected.startsWith(path),
            `broke ${expected}, error names ${path}`,
          );
        }),
        { numRuns: RUNS },
      );
      const refused = leafList.filter((leaf) => {
        try {
          parse(setPath(defaults, leaf.path, wrongFor(leaf.value)[0]));
          return false;
        } catch {
          return true;
        }
      });
      assert.ok(refused.length >= leafList.length * 0.9, `${refused.length} of ${leafList.length} refused`);
    });

    it('refuses an unknown key in any section, naming it', () => {
      const sectionList = [[], ...sections(defaults)];
      fc.assert(
        fc.property(
          fc.constantFrom(...sectionList),
          fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/),
          (section, key) => {
            const target = section.reduce<Json>((cursor, part) => cursor[part] as Json, defaults);
            if (key in target) return;
            const { path } = refusal(() => parse(setPath(defaults, [...section, key], 'x')));
            assert.equal(path, pathOf(name, [...section, key]));
          },
        ),
        { numRuns: Math.min(RUNS, 500) },
      );
    });

    it('never crashes on arbitrary JSON', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (raw) => {
          try {
            parse(raw);
          } catch (error) {
            assert.ok(isTokenguardError(error) && error.code === 'configInvalid', String(error));
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
}

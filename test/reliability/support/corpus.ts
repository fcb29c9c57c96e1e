/**
 * @module test/reliability/support/corpus
 * Property runs with a memory. Two kinds of corpus live in `test/reliability/corpus/`:
 *
 * - hand-kept files (`tokens.json`, `http-idp.json`, …) of `{why, input}` entries that a suite replays in
 *   a test of its own (`readCorpus`);
 * - one file per property, `properties/<name>.json`, whose inputs (the property's arguments) `fuzz` runs
 *   first, as fast-check examples, before `FUZZ_RUNS` generated cases (default 2000: several thousand
 *   cases per property across a file). When a property fails, the shrunk counterexample is printed and,
 *   with `RECORD_CORPUS=1`, appended to its file, so an input that once failed stays a regression test.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';

/** Cases per property: `FUZZ_RUNS` (CI default 2000), scaled by `share` for the costlier properties. */
export function runs(share = 1): number {
  return Math.max(10, Math.ceil(Number(process.env.FUZZ_RUNS ?? 2000) * share));
}

export interface CorpusEntry<T> {
  /** Why it is here: what it broke, or which property found it. */
  why: string;
  input: T;
}

const corpusFile = (name: string) => new URL(`../corpus/${name}.json`, import.meta.url);

export function readCorpus<T>(name: string): CorpusEntry<T>[] {
  const file = corpusFile(name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CorpusEntry<T>[]) : [];
}

function record(name: string, input: unknown, why: string): void {
  const entries = readCorpus<unknown>(name);
  entries.push({ why, input });
  mkdirSync(new URL('.', corpusFile(name)), { recursive: true });
  writeFileSync(corpusFile(name), `${JSON.stringify(entries, null, 2)}\n`);
}

/**
 * Runs `property`: first every input of `corpus/properties/<name>.json`, then `numRuns` generated cases
 * (default `runs()`); resolves with the number of cases tried. On a failure it rejects with fast-check's
 * report (seed, path, shrunk counterexample) and, when `RECORD_CORPUS=1`, records the counterexample.
 */
export async function fuzz<Ts extends unknown[]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  numRuns = runs(),
): Promise<number> {
  const file = `properties/${name}`;
  const examples = readCorpus<Ts>(file).map((entry) => entry.input);
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { numRuns, examples });
  if (details.failed) {
    const counterexample = details.counterexample;
    if (process.env.RECORD_CORPUS === '1' && counterexample) {
      const first = String((details.errorInstance as Error | undefined)?.message ?? '').split('\n')[0];
      record(file, counterexample, `fast-check: ${first}`);
    }
    throw new Error(fc.defaultReportMessage(details));
  }
  return details.numRuns + examples.length;
}

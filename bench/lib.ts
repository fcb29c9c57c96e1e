/**
 * @module bench/lib
 * Shared helpers of the benchmarks: machine facts, medians, alternating A/B rounds, result files.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Result {
  scenario: string;
  machine: { cores: number; cpu: string; node: string };
  date: string;
  figures: Record<string, number | string>;
  notes?: string[];
}

export function machine(): Result['machine'] {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function save(result: Omit<Result, 'machine' | 'date'>): Result {
  const full: Result = { ...result, machine: machine(), date: new Date().toISOString() };
  writeFileSync(
    new URL(`./results/${result.scenario}.json`, import.meta.url),
    `${JSON.stringify(full, null, 2)}\n`,
  );
  console.log(JSON.stringify(full.figures, null, 2));
  return full;
}

/** Rounds from the command line (`--rounds N`), default `fallback`. */
export function rounds(fallback: number): number {
  const index = process.argv.indexOf('--rounds');
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

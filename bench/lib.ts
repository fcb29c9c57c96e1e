/**
 * @module bench/lib
 * Shared helpers of the benchmarks: machine facts, medians, alternating A/B rounds, result files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';

export interface Result {
  scenario: string;
  machine: { cores: number; cpu: string; node: string };
  date: string;
  figures: Record<string, number | string>;
  /** Bar charts drawn in docs/benchmarks.svg: one group of bars per chart (same unit within a group). */
  charts?: Chart[];
  notes?: string[];
}

export interface Chart {
  title: string;
  unit: string;
  bars: { name: string; value: number }[];
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

/**
 * Pins every thread of this process (V8's and libuv's too: `-a`) to core 1, so the load generator and the
 * servers under test (spawned with `spawnPinned`) stay apart. False with fewer than two cores, no taskset,
 * or `BENCH_PIN=0`; the figures then say so.
 */
export function pinSelf(): boolean {
  if (process.env.BENCH_PIN === '0' || cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts a Node script on core 0 when pinned (its stdout piped, optionally an IPC channel). */
export function spawnPinned(pinned: boolean, script: string, args: string[] = [], ipc = false): ChildProcess {
  const stdio: ('ignore' | 'pipe' | 'inherit' | 'ipc')[] = [
    'ignore',
    'pipe',
    'inherit',
    ...(ipc ? ['ipc' as const] : []),
  ];
  return pinned
    ? spawn('taskset', ['-c', '0', process.execPath, script, ...args], { stdio })
    : spawn(process.execPath, [script, ...args], { stdio });
}

/** The first line of a child's stdout that parses as a JSON object (servers print notices before it). */
export async function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error('the server exited before it printed its address');
}

/**
 * In a benchmark server: answers the parent's `stats` IPC message with this process's CPU time so far
 * (`{"cpuMicros"}`, user + system), so the parent can work out server CPU per request between rounds.
 */
export function answerCpuStats(): void {
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  });
}

/** In the parent: the CPU time so far of a child that runs `answerCpuStats`, microseconds. */
export async function childCpuMicros(child: ChildProcess): Promise<number> {
  child.send('stats');
  for (;;) {
    const [message] = (await once(child, 'message')) as [Record<string, unknown>];
    if (typeof message?.cpuMicros === 'number') return message.cpuMicros;
  }
}

/**
 * @module bench/profile-summary
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`) by self time and by inclusive time, per function
 * (name, file, line) and per file, as µs per request when the number of requests is given. Profiles say where
 * a server's CPU goes far more precisely than req/s on a shared machine do.
 *
 *   node_modules/.bin/node bench/profile-summary.ts <file.cpuprofile> [--requests N] [--top 40] [--match text]
 *
 * Inclusive time counts a sample once per distinct function on its stack (recursion is not double counted);
 * `--match` keeps only functions whose name or file contains the text (the self / inclusive tables alike).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Row {
  name: string;
  micros: number;
}

export interface Summary {
  totalMicros: number;
  selfByFunction: Row[];
  inclusiveByFunction: Row[];
  selfByFile: Row[];
}

function shortFile(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const index = path.indexOf('/work/main/');
  return index >= 0 ? path.slice(index + '/work/main/'.length) : path;
}

function functionKey(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url ? `${name} ${shortFile(frame.url)}:${frame.lineNumber + 1}` : name;
}

const sorted = (map: Map<string, number>): Row[] =>
  [...map].map(([name, micros]) => ({ name, micros })).sort((a, b) => b.micros - a.micros);

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

/** Self and inclusive time of every function (and self time of every file) of `profile`, µs. */
export function summarize(profile: Profile): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  // timeDeltas[i] is the time before sample i; attribute it to the sample (as Chrome DevTools does).
  for (let i = 0; i < profile.samples.length; i++) {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    total += micros;
    add(self, functionKey(node.callFrame), micros);
    add(files, shortFile(node.callFrame.url), micros);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const key = functionKey(byId.get(id)!.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, micros);
      }
    }
  }
  return {
    totalMicros: total,
    selfByFunction: sorted(self),
    inclusiveByFunction: sorted(inclusive),
    selfByFile: sorted(files),
  };
}

function print(title: string, rows: Row[], top: number, divisor: number, total: number): void {
  console.log(`\n${title}`);
  for (const row of rows.slice(0, top)) {
    const share = ((100 * row.micros) / total).toFixed(1).padStart(5);
    console.log(`${(row.micros / divisor).toFixed(2).padStart(9)}  ${share}%  ${row.name}`);
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { requests: { type: 'string' }, top: { type: 'string' }, match: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    console.error('usage: profile-summary.ts <file.cpuprofile> [--requests N] [--top 40] [--match text]');
    process.exit(2);
  }
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const requests = Number(values.requests ?? 0);
  const divisor = requests > 0 ? requests : 1;
  const unit = requests > 0 ? 'µs/request' : 'µs';
  const top = Number(values.top ?? 40);
  const keep = (rows: Row[]) =>
    values.match ? rows.filter((row) => row.name.includes(values.match!)) : rows;
  console.log(`busy (non-idle) CPU: ${(summary.totalMicros / divisor).toFixed(2)} ${unit}`);
  print(`self time by function (${unit})`, keep(summary.selfByFunction), top, divisor, summary.totalMicros);
  print(
    `inclusive time by function (${unit})`,
    keep(summary.inclusiveByFunction),
    top,
    divisor,
    summary.totalMicros,
  );
  print(`self time by file (${unit})`, keep(summary.selfByFile), top, divisor, summary.totalMicros);
}

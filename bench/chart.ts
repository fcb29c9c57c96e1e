/**
 * @module bench/chart
 * Draws the benchmark results as one SVG of horizontal bar panels (docs/benchmarks.svg): per scenario a
 * throughput panel and a latency panel, from the figures whose names say what they measure, plus any charts
 * a scenario declares itself. Bars of one panel share a scale; panels do not (their units differ).
 * Hand-written SVG: no plotting dependency for a few dozen rectangles.
 */
import type { Chart, Result } from './lib.ts';

const THROUGHPUT = /(req|ops|checks|calls|tokens)\/s/;
const LATENCY = /(latency|p50|p99|, ms)/i;
const WIDTH = 900;
const LABEL_WIDTH = 430;
const BAR_AREA = 360;
const ROW = 20;

function panelsOf(result: Result): Chart[] {
  const numeric = Object.entries(result.figures).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number' && !/ratio/i.test(entry[0]),
  );
  const derived: Chart[] = [];
  const throughput = numeric.filter(([name]) => THROUGHPUT.test(name));
  if (throughput.length > 1) {
    derived.push({
      title: `${result.scenario}: throughput`,
      unit: '/s',
      bars: throughput.map(([name, value]) => ({ name, value })),
    });
  }
  const latency = numeric.filter(([name]) => LATENCY.test(name) && !THROUGHPUT.test(name));
  if (latency.length > 1) {
    derived.push({
      title: `${result.scenario}: latency`,
      unit: 'ms',
      bars: latency.map(([name, value]) => ({ name, value })),
    });
  }
  return [...derived, ...(result.charts ?? [])];
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatValue(value: number): string {
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** The SVG document of every panel of `results`. */
export function renderChart(results: readonly Result[]): string {
  const parts: string[] = [];
  let y = 30;
  for (const panel of results.flatMap(panelsOf)) {
    parts.push(
      `<text x="10" y="${y}" class="title">${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`,
    );
    y += 10;
    const max = Math.max(...panel.bars.map((bar) => bar.value), 1e-9);
    for (const bar of panel.bars) {
      const width = Math.max(1, (bar.value / max) * BAR_AREA);
      const label = bar.name.length > 70 ? `${bar.name.slice(0, 67)}…` : bar.name;
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${y + 14}" class="label">${escapeXml(label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" rx="2"/>`,
        `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 14}" class="value">${formatValue(bar.value)}</text>`,
      );
      y += ROW;
    }
    y += 24;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" role="img" aria-label="tokenguard benchmark results">`,
    '<style>text{font:12px sans-serif;fill:#1f2328}.title{font-weight:bold;font-size:13px}.label{text-anchor:end}rect{fill:#2f6fb3}</style>',
    `<rect x="0" y="0" width="${WIDTH}" height="${y}" style="fill:#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

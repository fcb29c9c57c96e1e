/**
 * @module idp/console/pages/live
 * The Live figures page: requests, introspections by outcome and token issuance, from the IdP's
 * Prometheus counters (`live-figures.ts`). The page is complete without script (a Refresh link); the
 * console's script refreshes the figures in place every few seconds from `live/figures.json`, with a
 * button to pause it (WCAG 2.2.2: moving, updating content can be paused). The figures are no live
 * region, so a screen reader is not interrupted every five seconds.
 */
import { html, type SafeHtml } from '../../web/html.ts';
import { type ConsoleContext, render } from '../context.ts';
import { table } from '../layout.ts';
import type { Figures } from '../live-figures.ts';
import { consoleHref } from '../paths.ts';

const rate = (value: number | undefined) => (value === undefined ? '—' : `${value} / min`);

/** One figure; `data-figure` names the member of the JSON figures the script writes into it. */
function figure(label: string, name: string, value: string | number): SafeHtml {
  return html`<div class="figure"><dt>${label}</dt><dd data-figure="${name}">${value}</dd></div>`;
}

function figuresHtml(figures: Figures): SafeHtml {
  return html`<dl class="figures">
${figure('Protocol requests', 'requests', figures.requests)}
${figure('Request rate', 'rates.requests', rate(figures.rates.requests))}
${figure('Introspections: active', 'introspections.active', figures.introspections.active)}
${figure('Introspections: inactive', 'introspections.inactive', figures.introspections.inactive)}
${figure('Introspections: error', 'introspections.error', figures.introspections.error)}
${figure('Introspection rate', 'rates.introspections', rate(figures.rates.introspections))}
${figure('Tokens issued', 'tokensIssued', figures.tokensIssued)}
${figure('Token issuance rate', 'rates.tokensIssued', rate(figures.rates.tokensIssued))}
</dl>`;
}

export async function liveSection(context: ConsoleContext, rest: readonly string[]): Promise<boolean> {
  if (context.method !== 'GET') return false;
  const figures = await context.deps.figures.read();
  if (rest.length === 1 && rest[0] === 'figures.json') {
    const body = JSON.stringify(figures);
    context.response.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-length': Buffer.byteLength(body),
    });
    context.response.end(context.request.method === 'HEAD' ? undefined : body);
    return true;
  }
  if (rest.length) return false;
  const rows = figures.requestsBy.map(
    (entry) =>
      html`<tr><td>${entry.label.split(' ')[0]}</td><td>${entry.label.split(' ')[1]}</td><td>${entry.count}</td></tr>`,
  );
  render(context, {
    title: 'Live figures',
    section: 'live',
    body: html`<div data-live="${consoleHref(context.path.tenant, 'live', 'figures.json')}">
<p class="muted">Counted by this IdP process since it started (the same counters as its Prometheus metrics).
Read at <span data-figure="at">${new Date(figures.at).toISOString()}</span>.
<a href="${consoleHref(context.path.tenant, 'live')}" class="refresh-link">Refresh</a></p>
${figuresHtml(figures)}
</div>
${rows.length ? table('Requests by endpoint and status', ['Endpoint', 'Status', 'Requests'], rows) : html`<p>No requests yet.</p>`}`,
  });
  return true;
}

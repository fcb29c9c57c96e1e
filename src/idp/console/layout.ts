/**
 * @module idp/console/layout
 * The console's page frame and form widgets, on the shared web toolkit (`idp/web/html`): every page is
 * `page()` with the console's navigation, its stylesheet and its one script (both served by the console
 * itself from `assets/`, so the CSP stays `'self'`: no CDN, no inline script).
 *
 * Accessibility (WCAG 2.2 AA): every input has a `<label>`; hints and errors are tied to their input with
 * `aria-describedby` and `aria-invalid`; a rejected form opens with an error summary (`role="alert"`)
 * whose links move focus to each faulty field; the current section is marked `aria-current="page"`;
 * tables have captions and column headers and scroll inside a focusable region on narrow screens. Status
 * is always said in words, never by colour alone.
 */
import type { ServerResponse } from 'node:http';
import { csp, html, page, raw, type SafeHtml, sendHtml } from '../web/html.ts';
import type { FieldProblem } from './form-values.ts';
import { consoleHref } from './paths.ts';

/** The console's sections, in navigation order. */
export const SECTIONS = [
  { id: 'applications', label: 'Applications' },
  { id: 'users', label: 'Users' },
  { id: 'tenants', label: 'Tenants' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'playground', label: 'Introspection playground' },
  { id: 'live', label: 'Live figures' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

/**
 * The toolkit's policy, with the console's own stylesheet (`'self'`) beside the hashed inline one, and
 * forms that may only post back to this origin (every console form does; none redirects elsewhere).
 */
export const CONSOLE_CSP = `${csp.replace('style-src ', "style-src 'self' ")}; form-action 'self'`;

/** Who is signed in, for the frame: name, tenant and the CSRF token of the sign-out form. */
export interface Viewer {
  tenant: string;
  username: string;
  csrf: string;
}

export interface ConsolePageOptions {
  title: string;
  body: SafeHtml;
  /** Tenant whose console renders the page (for asset URLs when nobody is signed in). */
  tenant: string;
  viewer?: Viewer;
  section?: SectionId;
}

function navigation(viewer: Viewer, section: SectionId | undefined): SafeHtml {
  const links = SECTIONS.map(
    (entry) =>
      html`<li><a href="${consoleHref(viewer.tenant, entry.id)}"${raw(entry.id === section ? ' aria-current="page"' : '')}>${entry.label}</a></li>`,
  );
  return html`${links}<li class="who"><span>${viewer.username} · tenant ${viewer.tenant}</span>
<form method="post" action="${consoleHref(viewer.tenant, 'sign-out')}">${csrfField(viewer.csrf)}<button type="submit" class="link">Sign out</button></form></li>`;
}

/** A whole console document. */
export function consolePage(options: ConsolePageOptions): string {
  const assets = (name: string) => consoleHref(options.tenant, 'assets', name);
  return page({
    title: `${options.title} · tokenguard console`,
    mainClass: 'wide',
    nav: options.viewer ? navigation(options.viewer, options.section) : undefined,
    body: html`<link rel="stylesheet" href="${assets('console.css')}">
<h1>${options.title}</h1>
${options.body}
<script src="${assets('console.js')}" defer></script>`,
  });
}

/** Sends a console document with the console's security headers. */
export function sendConsolePage(
  response: ServerResponse,
  status: number,
  document: string,
  headers: Record<string, string> = {},
): void {
  sendHtml(response, status, document, { 'content-security-policy': CONSOLE_CSP, ...headers });
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

/** A message shown after a redirect (`role="status"`, announced politely by screen readers). */
export function flashMessage(message: string | undefined): SafeHtml | undefined {
  return message ? html`<p class="flash" role="status">${message}</p>` : undefined;
}

/** The error summary of a rejected form; its links focus the fields (GOV.UK error summary pattern). */
export function errorSummary(problems: readonly FieldProblem[]): SafeHtml | undefined {
  if (problems.length === 0) return undefined;
  return html`<div class="error error-summary" role="alert" tabindex="-1">
<h2>There is a problem</h2>
<ul>${problems.map((problem) => html`<li><a href="#f-${problem.field}">${problem.message}</a></li>`)}</ul>
</div>`;
}

export interface FieldOptions {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  problems?: readonly FieldProblem[];
  type?: 'text' | 'password' | 'number' | 'url';
  required?: boolean;
  autocomplete?: string;
  /** Extra attributes, trusted constants only (`min="0"`). */
  attributes?: string;
}

function described(options: FieldOptions): { invalid: SafeHtml; notes: SafeHtml; ids: string } {
  const problem = options.problems?.find((entry) => entry.field === options.name);
  const ids = [options.hint ? `h-${options.name}` : '', problem ? `e-${options.name}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    invalid: raw(problem ? ' aria-invalid="true"' : ''),
    ids,
    notes: html`${options.hint ? html`<span class="hint" id="h-${options.name}">${options.hint}</span>` : ''}${problem ? html`<span class="field-error" id="e-${options.name}">Error: ${problem.message}</span>` : ''}`,
  };
}

export function textField(options: FieldOptions): SafeHtml {
  const { invalid, notes, ids } = described(options);
  return html`<label for="f-${options.name}">${options.label}</label>${notes}
<input type="${options.type ?? 'text'}" id="f-${options.name}" name="${options.name}" value="${options.value ?? ''}"${raw(options.required ? ' required' : '')}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}${invalid}${raw(options.attributes ? ` ${options.attributes}` : '')}>`;
}

export function textArea(options: FieldOptions & { rows?: number }): SafeHtml {
  const { invalid, notes, ids } = described(options);
  return html`<label for="f-${options.name}">${options.label}</label>${notes}
<textarea id="f-${options.name}" name="${options.name}" rows="${options.rows ?? 3}" spellcheck="false"${ids ? html` aria-describedby="${ids}"` : ''}${invalid}>${options.value ?? ''}</textarea>`;
}

export function checkbox(options: {
  name: string;
  label: string;
  checked: boolean;
  hint?: string;
}): SafeHtml {
  return html`<div class="check"><input type="checkbox" id="f-${options.name}" name="${options.name}" value="on"${raw(options.checked ? ' checked' : '')}${options.hint ? html` aria-describedby="h-${options.name}"` : ''}>
<label for="f-${options.name}">${options.label}</label>${options.hint ? html`<span class="hint" id="h-${options.name}">${options.hint}</span>` : ''}</div>`;
}

/** A row of radio buttons in a fieldset (the legend names the group for screen readers). */
export function radios(options: {
  name: string;
  legend: string;
  value: string;
  choices: readonly { value: string; label: string }[];
}): SafeHtml {
  return html`<fieldset><legend>${options.legend}</legend>${options.choices.map(
    (choice) =>
      html`<div class="check"><input type="radio" id="f-${options.name}-${choice.value}" name="${options.name}" value="${choice.value}"${raw(choice.value === options.value ? ' checked' : '')}>
<label for="f-${options.name}-${choice.value}">${choice.label}</label></div>`,
  )}</fieldset>`;
}

/** A table in a focusable, labelled region that scrolls sideways on narrow screens. */
export function table(caption: string, head: readonly string[], rows: readonly SafeHtml[]): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr>${head.map((cell) => html`<th scope="col">${cell}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/** A one-button POST form (with the CSRF token); `confirm` asks first (script dialog, or a confirm page). */
export function actionForm(options: {
  action: string;
  csrf: string;
  label: string;
  fields?: Readonly<Record<string, string>>;
  confirm?: string;
  danger?: boolean;
}): SafeHtml {
  const hidden = Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return html`<form method="post" action="${options.action}" class="inline"${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>${csrfField(options.csrf)}${hidden}<button type="submit"${raw(options.danger ? ' class="danger"' : ' class="secondary"')}>${options.label}</button></form>`;
}

/** Epoch seconds as an ISO 8601 UTC time in a `<time>` element. */
export function time(seconds: number): SafeHtml {
  const iso = new Date(seconds * 1000).toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>`;
}

/** JSON, pretty-printed in a `<pre>` (escaped like any text). */
export function jsonBlock(value: unknown, label: string): SafeHtml {
  return html`<pre class="json" tabindex="0" aria-label="${label}"><code>${JSON.stringify(value, null, 2)}</code></pre>`;
}

/**
 * @module idp/console/pages/playground
 * The Introspection playground page: a form to paste a token (POST, never a URL: URLs end up in logs and
 * history), and the inspection (`playground.ts`): decoded header and claims, each verification step with
 * its result in words, and the RFC 7662 answer. Nothing here logs the token; the page is `no-store`.
 */
import { html, type SafeHtml } from '../../web/html.ts';
import { type ConsoleContext, render } from '../context.ts';
import { csrfField, errorSummary, jsonBlock, textArea } from '../layout.ts';
import { consoleHref } from '../paths.ts';
import { type Inspection, inspectToken, type StepStatus } from '../playground.ts';
import { tenantIssuers, tenantRealm } from '../tenant-urls.ts';

/** Status in words (never colour alone, WCAG 1.4.1). */
const STATUS_TEXT: Readonly<Record<StepStatus, string>> = {
  pass: 'Pass',
  fail: 'Fail',
  skip: 'Not applicable',
};

/** Most a pasted token may be: far beyond any real token, small enough to keep the page cheap. */
const MAX_TOKEN_LENGTH = 8192;

function results(inspection: Inspection): SafeHtml {
  const steps = inspection.steps.map(
    (step) =>
      html`<li class="step ${step.status}"><span class="badge">${STATUS_TEXT[step.status]}</span> <strong>${step.name}</strong>: ${step.detail}</li>`,
  );
  const decoded =
    inspection.header && inspection.claims
      ? html`<h3>Decoded JOSE header (not trusted)</h3>${jsonBlock(inspection.header, 'Decoded JOSE header')}
<h3>Decoded claims (not trusted)</h3>${jsonBlock(inspection.claims, 'Decoded claims')}`
      : '';
  return html`<section aria-labelledby="results" id="playground-results">
<h2 id="results" tabindex="-1">Result: ${inspection.answer.active ? 'active' : 'inactive'}</h2>
<h3>Verification steps</h3>
<ol class="steps">${steps}</ol>
<h3>RFC 7662 answer a resource server would get</h3>
${jsonBlock(inspection.answer, 'Introspection answer')}
${decoded}
</section>`;
}

export async function playgroundSection(context: ConsoleContext, rest: readonly string[]): Promise<boolean> {
  if (rest.length) return false;
  const token = context.method === 'POST' ? (context.form.get('token') ?? '').trim() : '';
  const problem =
    context.method !== 'POST'
      ? undefined
      : token === ''
        ? 'Paste a token.'
        : token.length > MAX_TOKEN_LENGTH
          ? `A token of at most ${MAX_TOKEN_LENGTH} characters.`
          : undefined;
  let inspection: Inspection | undefined;
  if (context.method === 'POST' && !problem) {
    const { config, base, store, keys, tokens } = context.deps;
    const tenant = context.path.tenant;
    inspection = await inspectToken(
      { store, keys, tokens, now: context.now },
      tenantRealm(config, base(), tenant),
      tenantIssuers(config, base(), tenant),
      token,
    );
  }
  const problems = problem ? [{ field: 'token', message: problem }] : [];
  render(context, {
    title: 'Introspection playground',
    section: 'playground',
    status: problem ? 400 : 200,
    body: html`${errorSummary(problems)}
<p>Paste an access or refresh token of tenant <strong>${context.path.tenant}</strong> to see what the IdP makes of it. The token is not logged or stored.</p>
<form method="post" action="${consoleHref(context.path.tenant, 'playground')}">${csrfField(context.viewer.csrf)}
${textArea({ name: 'token', label: 'Token', value: token, problems, rows: 5 })}
<button type="submit">Inspect</button>
</form>
${inspection ? results(inspection) : ''}`,
  });
  return true;
}

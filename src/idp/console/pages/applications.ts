/**
 * @module idp/console/pages/applications
 * The Applications section: list with search, register (seed 002: name, description, OAuth configuration
 * with callback URLs, then the client key and secret shown once), view and edit, rotate the secret,
 * disable or enable, delete (with confirmation).
 *
 * A secret appears in exactly one response, the one answering the POST that made it, with a copy button;
 * that response is `no-store`, and only the secret's hash is kept.
 */
import { GRANT_TYPES } from '../../config/schema.ts';
import type { Client } from '../../model.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import {
  newClientId,
  readApplicationForm,
  registerApplication,
  rotateSecret,
  searchApplications,
  setApplicationDisabled,
  updateApplication,
} from '../applications.ts';
import { type ConsoleContext, redirectTo, render, takeFlash } from '../context.ts';
import { type FieldProblem, formatPolicies } from '../form-values.ts';
import {
  actionForm,
  checkbox,
  csrfField,
  errorSummary,
  flashMessage,
  radios,
  table,
  textArea,
  textField,
  time,
} from '../layout.ts';
import { consoleHref } from '../paths.ts';
import { tenantEndpoints } from '../tenant-urls.ts';

const GRANT_HINTS: Readonly<Record<string, string>> = {
  client_credentials: 'Service to service (RFC 6749 §4.4).',
  refresh_token: 'Refresh tokens with rotation.',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'JWT bearer assertions (RFC 7523).',
  password: 'Legacy only: needs idp.legacy.passwordGrant (RFC 9700 §2.4).',
  authorization_code: 'Browser sign-in with the callback URLs below (RFC 6749 §4.1, with PKCE).',
};

/** The form's fields for an existing client (edit) as form values. */
function valuesOf(client: Client): URLSearchParams {
  const values = new URLSearchParams({
    name: client.name,
    description: client.description,
    scopes: client.scopes.join(' '),
    token_format: client.tokenFormat,
    access_token_ttl: String(client.accessTokenTtl),
    policies: formatPolicies(client.policies),
    redirect_uris: (client.redirectUris ?? []).join('\n'),
  });
  for (const grant of client.grantTypes) values.set(`grant:${grant}`, 'on');
  if (client.canIntrospect) values.set('can_introspect', 'on');
  return values;
}

/** Grant checkboxes carry distinct names (`grant:<type>`): the form reader refuses repeated names. */
function grantTypesOf(form: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(form);
  for (const grant of GRANT_TYPES) if (form.has(`grant:${grant}`)) copy.append('grant_types', grant);
  return copy;
}

function applicationFields(
  context: ConsoleContext,
  values: URLSearchParams,
  problems: readonly FieldProblem[],
  withClientId: boolean,
): SafeHtml {
  const value = (name: string) => values.get(name) ?? '';
  const defaults = context.deps.config.tokens;
  return html`${csrfField(context.viewer.csrf)}
${withClientId ? textField({ name: 'client_id', label: 'Client ID', value: value('client_id'), hint: 'Generated; you may choose your own (visible characters, no spaces).', problems, required: true, autocomplete: 'off' }) : ''}
${textField({ name: 'name', label: 'Name', value: value('name'), problems, required: true, autocomplete: 'off' })}
${textArea({ name: 'description', label: 'Description (optional)', value: value('description'), problems })}
<fieldset><legend>OAuth configuration: grant types</legend>
${GRANT_TYPES.map((grant) => checkbox({ name: `grant:${grant}`, label: grant, checked: values.has(`grant:${grant}`), hint: GRANT_HINTS[grant] }))}
</fieldset>
${textArea({ name: 'redirect_uris', label: 'Callback URLs', value: value('redirect_uris'), hint: 'One per line: where users are sent back after signing in (authorization code grant). Exact match.', problems })}
${textField({ name: 'scopes', label: 'Scopes it may request', value: value('scopes'), hint: 'Separated by spaces, e.g. "read write".', problems, autocomplete: 'off' })}
${radios({
  name: 'token_format',
  legend: 'Access token format',
  value: value('token_format') || defaults.format,
  choices: [
    { value: 'jwt', label: 'JWT (RFC 9068, verifiable locally)' },
    { value: 'opaque', label: 'Opaque (introspection only)' },
  ],
})}
${textField({ name: 'access_token_ttl', label: 'Access token lifetime (seconds)', type: 'number', value: value('access_token_ttl'), hint: `0 or empty: the IdP default (${defaults.accessTokenTtl / 1000} s).`, problems, attributes: 'min="0" max="31536000" inputmode="numeric"' })}
${textArea({ name: 'policies', label: 'Roles granted (access policies)', value: value('policies'), hint: 'One per line: resource namespace, a space, role. Example: my_service admin', problems, rows: 4 })}
${checkbox({ name: 'can_introspect', label: 'May introspect any token of this tenant', checked: values.has('can_introspect'), hint: 'For resource servers and gateways that validate tokens (RFC 7662 §2.1).' })}`;
}

async function list(context: ConsoleContext): Promise<void> {
  const search = context.query.get('q') ?? '';
  const clients = await searchApplications(context.deps.store, context.path.tenant, search);
  const rows = clients.map(
    (
      client,
    ) => html`<tr><td><a href="${consoleHref(context.path.tenant, 'applications', client.clientId)}">${client.name}</a></td>
<td><code>${client.clientId}</code></td><td>${client.grantTypes.join(', ')}</td><td>${client.tokenFormat}</td>
<td>${client.disabled ? 'Disabled' : 'Enabled'}</td></tr>`,
  );
  render(context, {
    title: 'Applications',
    section: 'applications',
    body: html`${flashMessage(takeFlash(context))}
<p><a class="button" href="${consoleHref(context.path.tenant, 'applications', 'new')}">Register an application</a></p>
<form method="get" role="search" class="search">
<label for="f-q">Search by name, client ID or description</label>
<input type="search" id="f-q" name="q" value="${search}"><button type="submit" class="secondary">Search</button>
</form>
${rows.length ? table(`Applications of tenant ${context.path.tenant}`, ['Name', 'Client ID', 'Grant types', 'Token format', 'State'], rows) : html`<p>No application${search ? ' matches' : ' yet'}.</p>`}`,
  });
}

function registerForm(
  context: ConsoleContext,
  values: URLSearchParams,
  problems: FieldProblem[],
  status = 200,
) {
  render(context, {
    title: 'Register an application',
    section: 'applications',
    status,
    body: html`${errorSummary(problems)}
<form method="post" action="${consoleHref(context.path.tenant, 'applications', 'new')}">
${applicationFields(context, values, problems, true)}
<button type="submit">Register</button>
<a class="button secondary" href="${consoleHref(context.path.tenant, 'applications')}">Cancel</a>
</form>`,
  });
}

/** The one page that shows a secret, with a copy button (the script adds the clipboard behaviour). */
function secretPage(context: ConsoleContext, client: Client, secret: string, title: string) {
  render(context, {
    title,
    section: 'applications',
    body: html`<p role="status">Copy the client secret now: it is shown only this once. Only its hash is stored.</p>
<dl class="credentials">
<dt>Client key (client_id)</dt>
<dd><code id="client-id">${client.clientId}</code>
<button type="button" class="secondary copy" data-copy="client-id">Copy client ID</button></dd>
<dt>Client secret</dt>
<dd><code id="client-secret">${secret}</code>
<button type="button" class="secondary copy" data-copy="client-secret">Copy client secret</button></dd>
</dl>
<p class="muted">Token endpoint of this tenant: <code>${tenantEndpoints(context.deps.config, context.deps.base(), context.path.tenant).token ?? ''}</code></p>
<p><a class="button" href="${consoleHref(context.path.tenant, 'applications', client.clientId)}">Continue to the application</a></p>`,
  });
}

async function register(context: ConsoleContext): Promise<void> {
  if (context.method === 'GET') {
    const values = new URLSearchParams({ client_id: newClientId(), 'grant:client_credentials': 'on' });
    return registerForm(context, values, []);
  }
  const form = grantTypesOf(context.form);
  const input = readApplicationForm(form);
  const clientId = (form.get('client_id') ?? '').trim();
  if (!input.ok) return registerForm(context, context.form, input.problems, 400);
  const result = await registerApplication(
    context.deps.store,
    context.deps.config,
    context.path.tenant,
    clientId,
    input.value,
    context.now,
  );
  if (!result.ok) return registerForm(context, context.form, result.problems, 400);
  secretPage(context, result.value.client, result.value.secret, 'Application registered');
}

function detailPage(
  context: ConsoleContext,
  client: Client,
  values: URLSearchParams,
  problems: FieldProblem[],
  status = 200,
) {
  const href = (...parts: string[]) =>
    consoleHref(context.path.tenant, 'applications', client.clientId, ...parts);
  const csrf = context.viewer.csrf;
  render(context, {
    title: client.name,
    section: 'applications',
    status,
    body: html`${flashMessage(takeFlash(context))}${errorSummary(problems)}
<dl class="facts">
<dt>Client ID</dt><dd><code>${client.clientId}</code></dd>
<dt>State</dt><dd>${client.disabled ? 'Disabled: every token of it is inactive' : 'Enabled'}</dd>
<dt>Authentication</dt><dd>${client.authMethods.join(', ') || 'none'}</dd>
<dt>Registered</dt><dd>${time(client.createdAt)}</dd>
</dl>
<div class="actions">
${actionForm({ action: href('secret'), csrf, label: 'Rotate secret', confirm: `Rotate the secret of ${client.name}? The current secret stops working at once.` })}
${actionForm({ action: href('state'), csrf, label: client.disabled ? 'Enable' : 'Disable', fields: { disabled: client.disabled ? '0' : '1' } })}
${actionForm({ action: href('delete'), csrf, label: 'Delete', danger: true, confirm: `Delete ${client.name}? Its tokens become inactive.` })}
<a class="button secondary" href="${consoleHref(context.path.tenant, 'tokens')}?client=${encodeURIComponent(client.clientId)}">Its tokens</a>
</div>
<h2>Edit</h2>
<form method="post" action="${href()}">
${applicationFields(context, values, problems, false)}
<button type="submit">Save changes</button>
</form>`,
  });
}

async function detail(context: ConsoleContext, client: Client): Promise<void> {
  if (context.method === 'GET') return detailPage(context, client, valuesOf(client), []);
  const input = readApplicationForm(grantTypesOf(context.form));
  if (!input.ok) return detailPage(context, client, context.form, input.problems, 400);
  const result = await updateApplication(
    context.deps.store,
    context.deps.config,
    client,
    input.value,
    context.now,
  );
  if (!result.ok) return detailPage(context, client, context.form, result.problems, 400);
  redirectTo(context, ['applications', client.clientId], 'Changes saved.');
}

async function remove(context: ConsoleContext, client: Client): Promise<void> {
  if (context.form.get('confirmed') === '1') {
    await context.deps.store.clients.delete(client.tenant, client.clientId);
    return redirectTo(context, ['applications'], `Application ${client.name} deleted.`);
  }
  // Without the script's dialog: a page that asks, with a form that confirms.
  render(context, {
    title: `Delete ${client.name}?`,
    section: 'applications',
    body: html`<p>Deleting <strong>${client.name}</strong> (<code>${client.clientId}</code>) makes every token of it inactive. This cannot be undone.</p>
${actionForm({ action: consoleHref(context.path.tenant, 'applications', client.clientId, 'delete'), csrf: context.viewer.csrf, label: 'Delete', danger: true, fields: { confirmed: '1' } })}
<a class="button secondary" href="${consoleHref(context.path.tenant, 'applications', client.clientId)}">Cancel</a>`,
  });
}

export async function applicationsSection(
  context: ConsoleContext,
  rest: readonly string[],
): Promise<boolean> {
  const [first, action, ...extra] = rest;
  if (first === undefined) {
    if (context.method !== 'GET') return false;
    await list(context);
    return true;
  }
  if (first === 'new' && action === undefined) {
    await register(context);
    return true;
  }
  const client = await context.deps.store.clients.get(context.path.tenant, first);
  if (!client || extra.length) return false;
  if (action === undefined) {
    await detail(context, client);
    return true;
  }
  if (context.method !== 'POST') return false;
  switch (action) {
    case 'secret': {
      const secret = await rotateSecret(context.deps.store, client);
      secretPage(context, client, secret, 'New client secret');
      return true;
    }
    case 'state':
      await setApplicationDisabled(context.deps.store, client, context.form.get('disabled') === '1');
      redirectTo(
        context,
        ['applications', client.clientId],
        context.form.get('disabled') === '1' ? 'Application disabled.' : 'Application enabled.',
      );
      return true;
    case 'delete':
      await remove(context, client);
      return true;
    default:
      return false;
  }
}

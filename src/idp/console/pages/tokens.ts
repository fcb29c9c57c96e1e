/**
 * @module idp/console/pages/tokens
 * The Tokens section: active tokens of the tenant by client and/or subject, each with the answer the
 * introspection endpoint gives for it; revoke one, or all of a client or of a subject. Tokens are named by
 * their `jti`; an opaque token's value is not known to the IdP (only its digest is stored) and a JWT's
 * value is never shown.
 */
import { html } from '../../web/html.ts';
import { type ConsoleContext, redirectTo, render, takeFlash } from '../context.ts';
import { actionForm, flashMessage, jsonBlock, table, time } from '../layout.ts';
import { consoleHref } from '../paths.ts';
import { revokeAllOf, revokeById, searchTokens, TOKEN_LIST_LIMIT } from '../tokens.ts';

function queryString(client: string, subject: string): string {
  const query = new URLSearchParams();
  if (client) query.set('client', client);
  if (subject) query.set('subject', subject);
  return query.size ? `?${query}` : '';
}

async function list(context: ConsoleContext): Promise<void> {
  const client = (context.query.get('client') ?? '').trim();
  const subject = (context.query.get('subject') ?? '').trim();
  const tenant = context.path.tenant;
  const csrf = context.viewer.csrf;
  const rows = await searchTokens(context.deps.store, tenant, { clientId: client, subject }, context.now);
  const back = { client, subject };
  // Two rows per token: its facts, then its introspection answer across the whole table width.
  const tableRows = rows.flatMap((row) => [
    html`<tr class="token"><td><code>${row.jti}</code></td><td>${row.kind}, ${row.format}</td><td>${row.clientId}</td><td>${row.subject}</td>
<td>${row.scope || '—'}</td><td>${time(row.expiresAt)}</td><td>${row.answer.active ? 'active' : 'inactive'}</td>
<td>${actionForm({ action: consoleHref(tenant, 'tokens', 'revoke'), csrf, label: 'Revoke', danger: true, fields: { id: row.id, ...back }, confirm: `Revoke token ${row.jti}?` })}</td></tr>`,
    html`<tr class="answer"><td colspan="8"><details><summary>Introspection answer for ${row.jti}</summary>${jsonBlock(row.answer, `Introspection answer for ${row.jti}`)}</details></td></tr>`,
  ]);
  // Revoke-all buttons for the client and the subject searched for.
  const bulk = (['client', 'subject'] as const)
    .filter((target) => back[target])
    .map((target) =>
      actionForm({
        action: consoleHref(tenant, 'tokens', 'revoke-all'),
        csrf,
        label: `Revoke all tokens of ${target} ${back[target]}`,
        danger: true,
        fields: { target, [target]: back[target] },
        confirm: `Revoke every token of ${target} ${back[target]}?`,
      }),
    );
  render(context, {
    title: 'Tokens',
    section: 'tokens',
    body: html`${flashMessage(takeFlash(context))}
<form method="get" role="search" class="search">
<div><label for="f-client">Client ID</label><input type="text" id="f-client" name="client" value="${client}" autocomplete="off"></div>
<div><label for="f-subject">Subject (sub)</label><input type="text" id="f-subject" name="subject" value="${subject}" autocomplete="off"></div>
<button type="submit" class="secondary">Search active tokens</button>
</form>
<div class="actions">${bulk}</div>
${tableRows.length ? table(`Active tokens${client ? ` of client ${client}` : ''}${subject ? ` of subject ${subject}` : ''} (newest ${TOKEN_LIST_LIMIT} at most)`, ['Token (jti)', 'Kind', 'Client', 'Subject', 'Scope', 'Expires', 'State', 'Actions'], tableRows) : html`<p>No active tokens${client || subject ? ' match' : ''}.</p>`}`,
  });
}

export async function tokensSection(context: ConsoleContext, rest: readonly string[]): Promise<boolean> {
  const [action, ...extra] = rest;
  if (extra.length) return false;
  if (action === undefined && context.method === 'GET') {
    await list(context);
    return true;
  }
  if (context.method !== 'POST') return false;
  const { form, path } = context;
  const back = queryString(form.get('client') ?? '', form.get('subject') ?? '');
  if (action === 'revoke') {
    const { store, revocations } = context.deps;
    const revoked = await revokeById(store, revocations, path.tenant, form.get('id') ?? '', context.now);
    redirectTo(context, ['tokens'], revoked ? 'Token revoked.' : 'No such token.', back);
    return true;
  }
  if (action === 'revoke-all') {
    const target =
      form.get('target') === 'client' && form.get('client')
        ? { clientId: form.get('client')! }
        : form.get('target') === 'subject' && form.get('subject')
          ? { subject: form.get('subject')! }
          : undefined;
    if (!target) return false;
    const count = await revokeAllOf(
      context.deps.store,
      context.deps.revocations,
      path.tenant,
      target,
      context.now,
    );
    redirectTo(context, ['tokens'], `${count} token${count === 1 ? '' : 's'} revoked.`, back);
    return true;
  }
  return false;
}

/**
 * @module idp/console/pages/tenants
 * The Tenants section: the tenants this administrator may see (all of them for the default tenant's
 * administrators, else their own), creating a tenant with its first administrator (default tenant only),
 * the cross-tenant introspection toggle (WSO2 `allow_cross_tenant`), and switching to another tenant's
 * console, which is another URL with its own sign-in (see `tenants.ts` for the rule).
 */

import { isTenantId } from '../../tenants/tenant-id.ts';
import { html, sendRedirect } from '../../web/html.ts';
import { type ConsoleContext, redirectTo, render, takeFlash } from '../context.ts';
import type { FieldProblem } from '../form-values.ts';
import {
  actionForm,
  checkbox,
  csrfField,
  errorSummary,
  flashMessage,
  table,
  textField,
  time,
} from '../layout.ts';
import { consoleBase, consoleHref } from '../paths.ts';
import {
  createTenant,
  managesAllTenants,
  mayManageTenant,
  setCrossTenantIntrospection,
  visibleTenants,
} from '../tenants.ts';
import { MIN_PASSWORD_LENGTH } from '../users.ts';

async function list(
  context: ConsoleContext,
  values: URLSearchParams,
  problems: FieldProblem[],
  status = 200,
) {
  const own = context.path.tenant;
  const tenants = await visibleTenants(context.deps.store, own);
  const rows = tenants.map(
    (
      tenant,
    ) => html`<tr><td><code>${tenant.id}</code>${tenant.id === own ? ' (this console)' : ''}</td><td>${tenant.displayName}</td>
<td>${tenant.allowCrossTenantIntrospection ? 'Allowed' : 'Not allowed'}</td><td>${time(tenant.createdAt)}</td>
<td>${actionForm({ action: consoleHref(own, 'tenants', tenant.id, 'cross-tenant'), csrf: context.viewer.csrf, label: tenant.allowCrossTenantIntrospection ? 'Disallow cross-tenant' : 'Allow cross-tenant', fields: { allow: tenant.allowCrossTenantIntrospection ? '0' : '1' } })}
${tenant.id === own ? '' : html`<a href="${consoleBase(tenant.id)}/">Open its console</a>`}</td></tr>`,
  );
  const creation = managesAllTenants(own)
    ? html`<h2>Create a tenant</h2>
<form method="post" action="${consoleHref(own, 'tenants', 'new')}">${csrfField(context.viewer.csrf)}
${textField({ name: 'id', label: 'Tenant ID', value: values.get('id') ?? '', hint: 'Lower-case letters, digits, ".", "_", "-", e.g. foo.com. Used in URLs: /t/<id>/…', problems, required: true, autocomplete: 'off' })}
${textField({ name: 'display_name', label: 'Display name (optional)', value: values.get('display_name') ?? '', problems, autocomplete: 'off' })}
${checkbox({ name: 'cross_tenant', label: 'Allow cross-tenant introspection of its tokens', checked: values.has('cross_tenant') })}
${textField({ name: 'admin_username', label: 'Its first administrator: user name', value: values.get('admin_username') ?? '', problems, required: true, autocomplete: 'off' })}
${textField({ name: 'admin_password', label: 'Its first administrator: password', type: 'password', hint: `At least ${MIN_PASSWORD_LENGTH} characters.`, problems, required: true, autocomplete: 'new-password' })}
<button type="submit">Create tenant</button>
</form>`
    : html`<p class="muted">Tenants are created by administrators of the default tenant.</p>`;
  render(context, {
    title: 'Tenants',
    section: 'tenants',
    status,
    body: html`${flashMessage(takeFlash(context))}${errorSummary(problems)}
<p>Each tenant has its own console; an administrator of a tenant manages its applications, users and tokens there. Cross-tenant introspection lets callers of other tenants introspect a tenant's tokens (off by default).</p>
${table('Tenants', ['ID', 'Name', 'Cross-tenant introspection', 'Created', 'Actions'], rows)}
<h2>Switch tenant</h2>
<form method="get" action="${consoleHref(own, 'tenants', 'switch')}" class="search">
<label for="f-tenant">Go to the console of tenant</label>
<input type="text" id="f-tenant" name="tenant" autocomplete="off" required>
<button type="submit" class="secondary">Switch</button>
</form>
${creation}`,
  });
}

export async function tenantsSection(context: ConsoleContext, rest: readonly string[]): Promise<boolean> {
  const [first, action, ...extra] = rest;
  const { store } = context.deps;
  if (extra.length) return false;
  if (first === undefined && context.method === 'GET') {
    await list(context, new URLSearchParams(), []);
    return true;
  }
  if (first === 'switch' && action === undefined && context.method === 'GET') {
    // Another tenant's console is another site with its own sign-in: only the URL changes here.
    const target = (context.query.get('tenant') ?? '').trim();
    if (!isTenantId(target)) {
      await list(context, new URLSearchParams(), [{ field: 'tenant', message: 'Enter a tenant ID.' }], 400);
      return true;
    }
    sendRedirect(context.response, `${consoleBase(target)}/`);
    return true;
  }
  if (context.method !== 'POST') return false;
  if (first === 'new' && action === undefined) {
    if (!managesAllTenants(context.path.tenant)) return false;
    const created = await createTenant(store, context.form, context.now);
    if (!created.ok) await list(context, context.form, created.problems, 400);
    else {
      const { tenant, adminUsername } = created.value;
      redirectTo(
        context,
        ['tenants'],
        `Tenant ${tenant.id} created; ${adminUsername} may sign in to its console.`,
      );
    }
    return true;
  }
  if (action !== 'cross-tenant' || first === undefined || !mayManageTenant(context.path.tenant, first))
    return false;
  const tenant = await store.tenants.get(first);
  if (!tenant) return false;
  const allow = context.form.get('allow') === '1';
  await setCrossTenantIntrospection(store, tenant, allow);
  redirectTo(
    context,
    ['tenants'],
    `Cross-tenant introspection of ${tenant.id} ${allow ? 'allowed' : 'disallowed'}.`,
  );
  return true;
}

/**
 * @module idp/console/pages/users
 * The Users section: list, create (the administrator sets the password), edit roles (access policies
 * `{rn, role}`), the administrator and introspection flags, disable; reset a password. Passwords never
 * come back into a page: a rejected form is shown again with its password field empty.
 */
import type { User } from '../../model.ts';
import { html } from '../../web/html.ts';
import { type ConsoleContext, redirectTo, render, takeFlash } from '../context.ts';
import { type FieldProblem, formatPolicies } from '../form-values.ts';
import {
  checkbox,
  csrfField,
  errorSummary,
  flashMessage,
  table,
  textArea,
  textField,
  time,
} from '../layout.ts';
import { consoleHref } from '../paths.ts';
import { createUser, listUsers, MIN_PASSWORD_LENGTH, resetPassword, updateUser } from '../users.ts';

const POLICY_HINT = 'One per line: resource namespace, a space, role. Example: my_service admin';

function flags(user: User): string {
  return [user.admin && 'administrator', user.canIntrospect && 'may introspect', user.disabled && 'disabled']
    .filter(Boolean)
    .join(', ');
}

async function list(context: ConsoleContext): Promise<void> {
  const users = await listUsers(context.deps.store, context.path.tenant);
  const rows = users.map(
    (
      user,
    ) => html`<tr><td><a href="${consoleHref(context.path.tenant, 'users', user.username)}">${user.username}</a></td>
<td>${formatPolicies(user.policies).replaceAll('\n', ', ') || '—'}</td><td>${flags(user) || '—'}</td></tr>`,
  );
  render(context, {
    title: 'Users',
    section: 'users',
    body: html`${flashMessage(takeFlash(context))}
<p><a class="button" href="${consoleHref(context.path.tenant, 'users', 'new')}">Create a user</a></p>
${rows.length ? table(`Users of tenant ${context.path.tenant}`, ['User name', 'Roles', 'Flags'], rows) : html`<p>No users yet.</p>`}`,
  });
}

function createForm(
  context: ConsoleContext,
  values: URLSearchParams,
  problems: FieldProblem[],
  status = 200,
) {
  render(context, {
    title: 'Create a user',
    section: 'users',
    status,
    body: html`${errorSummary(problems)}
<form method="post" action="${consoleHref(context.path.tenant, 'users', 'new')}">${csrfField(context.viewer.csrf)}
${textField({ name: 'username', label: 'User name', value: values.get('username') ?? '', problems, required: true, autocomplete: 'off' })}
${textField({ name: 'password', label: 'Password', type: 'password', hint: `At least ${MIN_PASSWORD_LENGTH} characters. Tell the user over a safe channel.`, problems, required: true, autocomplete: 'new-password' })}
${textArea({ name: 'policies', label: 'Roles (access policies)', value: values.get('policies') ?? '', hint: POLICY_HINT, problems, rows: 4 })}
${checkbox({ name: 'admin', label: 'Administrator of this tenant (may use this console)', checked: values.has('admin') })}
${checkbox({ name: 'can_introspect', label: 'May call the introspection endpoint with its password (WSO2 style)', checked: values.has('can_introspect') })}
<button type="submit">Create user</button>
<a class="button secondary" href="${consoleHref(context.path.tenant, 'users')}">Cancel</a>
</form>`,
  });
}

function detailPage(
  context: ConsoleContext,
  user: User,
  values: URLSearchParams,
  problems: FieldProblem[],
  status = 200,
) {
  const href = (...parts: string[]) => consoleHref(context.path.tenant, 'users', user.username, ...parts);
  render(context, {
    title: `User ${user.username}`,
    section: 'users',
    status,
    body: html`${flashMessage(takeFlash(context))}${errorSummary(problems)}
<dl class="facts"><dt>Created</dt><dd>${time(user.createdAt)}</dd><dt>Flags</dt><dd>${flags(user) || '—'}</dd></dl>
<p><a class="button secondary" href="${consoleHref(context.path.tenant, 'tokens')}?subject=${encodeURIComponent(user.username)}">Their tokens</a></p>
<h2>Roles and flags</h2>
<form method="post" action="${href()}">${csrfField(context.viewer.csrf)}
${textArea({ name: 'policies', label: 'Roles (access policies)', value: values.get('policies') ?? '', hint: POLICY_HINT, problems, rows: 4 })}
${checkbox({ name: 'admin', label: 'Administrator of this tenant', checked: values.has('admin') })}
${checkbox({ name: 'can_introspect', label: 'May call the introspection endpoint with its password', checked: values.has('can_introspect') })}
${checkbox({ name: 'disabled', label: 'Disabled (cannot sign in; its tokens are inactive)', checked: values.has('disabled') })}
<button type="submit">Save changes</button>
</form>
<h2>Reset password</h2>
<form method="post" action="${href('password')}">${csrfField(context.viewer.csrf)}
${textField({ name: 'password', label: 'New password', type: 'password', hint: `At least ${MIN_PASSWORD_LENGTH} characters.`, problems, required: true, autocomplete: 'new-password' })}
<button type="submit">Set password</button>
</form>`,
  });
}

function valuesOf(user: User): URLSearchParams {
  const values = new URLSearchParams({ policies: formatPolicies(user.policies) });
  if (user.admin) values.set('admin', 'on');
  if (user.canIntrospect) values.set('can_introspect', 'on');
  if (user.disabled) values.set('disabled', 'on');
  return values;
}

export async function usersSection(context: ConsoleContext, rest: readonly string[]): Promise<boolean> {
  const [first, action, ...extra] = rest;
  const { store } = context.deps;
  if (first === undefined) {
    if (context.method !== 'GET') return false;
    await list(context);
    return true;
  }
  if (first === 'new' && action === undefined) {
    if (context.method === 'GET') {
      createForm(context, new URLSearchParams(), []);
      return true;
    }
    const created = await createUser(store, context.path.tenant, context.form, context.now);
    if (!created.ok) createForm(context, context.form, created.problems, 400);
    else redirectTo(context, ['users', created.value.username], `User ${created.value.username} created.`);
    return true;
  }
  const user = await store.users.get(context.path.tenant, first);
  if (!user || extra.length) return false;
  if (action === undefined) {
    if (context.method === 'GET') {
      detailPage(context, user, valuesOf(user), []);
      return true;
    }
    const updated = await updateUser(store, user, context.form, context.user.username);
    if (!updated.ok) detailPage(context, user, context.form, updated.problems, 400);
    else redirectTo(context, ['users', user.username], 'Changes saved.');
    return true;
  }
  if (action !== 'password' || context.method !== 'POST') return false;
  const reset = await resetPassword(store, user, context.form.get('password') ?? '');
  if (!reset.ok) detailPage(context, user, valuesOf(user), reset.problems, 400);
  else redirectTo(context, ['users', user.username], 'Password set.');
  return true;
}

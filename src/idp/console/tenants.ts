/**
 * @module idp/console/tenants
 * Tenants as the console manages them, and who may manage which.
 *
 * The rule (documented in docs/IDP.md): each tenant's console admits only administrators of that tenant,
 * and manages only that tenant's applications, users and tokens. The default tenant plays WSO2's "super
 * tenant" (`carbon.super`): its administrators also see every tenant, create tenants (each with its first
 * administrator, so the new console can be signed in to) and set any tenant's cross-tenant introspection
 * flag, but to manage what is inside another tenant they sign in to its console with an account there. A
 * tenant's own administrators may set their own tenant's flag (it exposes their tokens, so it is theirs to
 * decide), and see only their own tenant.
 */
import { tenantRecord, userRecord } from '../config/records.ts';
import { tenantSchema, userSchema } from '../config/schema.ts';
import { DEFAULT_TENANT, type Tenant } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { checked, type FieldProblem, type FormResult, text, validate } from './form-values.ts';
import { MIN_PASSWORD_LENGTH } from './users.ts';

/** Administrators of the default tenant manage every tenant record. */
export function managesAllTenants(actorTenant: string): boolean {
  return actorTenant === DEFAULT_TENANT;
}

/** Whether an administrator of `actorTenant` may change the record of `target`. */
export function mayManageTenant(actorTenant: string, target: string): boolean {
  return managesAllTenants(actorTenant) || actorTenant === target;
}

/** The tenants an administrator of `actorTenant` sees, by id. */
export async function visibleTenants(store: IdpStore, actorTenant: string): Promise<Tenant[]> {
  if (!managesAllTenants(actorTenant)) {
    const own = await store.tenants.get(actorTenant);
    return own ? [own] : [];
  }
  return (await store.tenants.list()).sort((a, b) =>
    a.id === DEFAULT_TENANT ? -1 : b.id === DEFAULT_TENANT ? 1 : a.id.localeCompare(b.id),
  );
}

export interface CreatedTenant {
  tenant: Tenant;
  adminUsername: string;
}

/** Creates a tenant and its first administrator (form: id, display_name, cross_tenant, admin_*). */
export async function createTenant(
  store: IdpStore,
  form: URLSearchParams,
  now: number,
): Promise<FormResult<CreatedTenant>> {
  const tenant = validate(
    tenantSchema,
    {
      id: text(form, 'id'),
      displayName: text(form, 'display_name'),
      allowCrossTenantIntrospection: checked(form, 'cross_tenant'),
    },
    { id: 'id', displayName: 'display_name' },
    'id',
  );
  const password = form.get('admin_password') ?? '';
  const admin = validate(
    userSchema,
    { username: text(form, 'admin_username'), tenant: DEFAULT_TENANT, password, admin: true },
    { username: 'admin_username', password: 'admin_password' },
    'admin_username',
  );
  const problems: FieldProblem[] = [];
  if (!tenant.ok) problems.push(...tenant.problems);
  if (!admin.ok) problems.push(...admin.problems);
  else if (password.length < MIN_PASSWORD_LENGTH) {
    problems.push({
      field: 'admin_password',
      message: `Enter a password of at least ${MIN_PASSWORD_LENGTH} characters.`,
    });
  }
  if (!tenant.ok || !admin.ok || problems.length) return { ok: false, problems };
  if (await store.tenants.get(tenant.value.id)) {
    return { ok: false, problems: [{ field: 'id', message: 'A tenant with this id exists already.' }] };
  }
  const record = tenantRecord(tenant.value, undefined, now);
  await store.tenants.put(record);
  await store.users.put(await userRecord({ ...admin.value, tenant: record.id }, undefined, now));
  return { ok: true, value: { tenant: record, adminUsername: admin.value.username } };
}

/** Sets WSO2's `allow_cross_tenant` of `tenant`. */
export async function setCrossTenantIntrospection(store: IdpStore, tenant: Tenant, allow: boolean) {
  await store.tenants.put({ ...tenant, allowCrossTenantIntrospection: allow });
}

/**
 * @module cli/tenant-records
 * Administrative commands may name a tenant the store does not have yet (`--tenant foo.com`): it is created
 * on first use, as declaring it in the config would.
 */
import { tenantRecord } from '../idp/config/records.ts';
import type { IdpStore } from '../idp/store/types.ts';
import type { CliIo } from './io.ts';

export async function ensureTenant(store: IdpStore, tenant: string, io: CliIo): Promise<void> {
  if (await store.tenants.get(tenant)) return;
  const now = Math.floor(Date.now() / 1000);
  await store.tenants.put(
    tenantRecord({ id: tenant, displayName: '', allowCrossTenantIntrospection: false }, undefined, now),
  );
  io.out(`tenant ${tenant} created`);
}

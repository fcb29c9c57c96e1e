/**
 * @module idp/config/apply
 * Applying the declared tenants, clients and users to the store at start. Declarations win over what the
 * store holds for the same ids (the config file is the source of truth for what it names); records it does
 * not name, such as clients added with the CLI, are left alone. The default tenant always exists.
 */
import { DEFAULT_TENANT } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { clientRecord, tenantRecord, userRecord } from './records.ts';
import type { IdpConfig } from './schema.ts';

export interface AppliedDeclarations {
  tenants: number;
  clients: number;
  users: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export async function applyDeclarations(store: IdpStore, config: IdpConfig): Promise<AppliedDeclarations> {
  const now = nowSeconds();
  const declaredDefault = config.tenants.find((tenant) => tenant.id === DEFAULT_TENANT);
  const tenants = declaredDefault
    ? config.tenants
    : [
        { id: DEFAULT_TENANT, displayName: 'Default', allowCrossTenantIntrospection: false },
        ...config.tenants,
      ];
  for (const declaration of tenants) {
    const existing = await store.tenants.get(declaration.id);
    // An undeclared default tenant is created once and then left as it is.
    if (existing && declaration !== declaredDefault && declaration.id === DEFAULT_TENANT) continue;
    await store.tenants.put(tenantRecord(declaration, existing, now));
  }
  for (const declaration of config.clients) {
    const existing = await store.clients.get(declaration.tenant, declaration.id);
    await store.clients.put(clientRecord(declaration, config.tokens, existing, now));
  }
  for (const declaration of config.users) {
    const existing = await store.users.get(declaration.tenant, declaration.username);
    await store.users.put(await userRecord(declaration, existing, now));
  }
  return { tenants: tenants.length, clients: config.clients.length, users: config.users.length };
}

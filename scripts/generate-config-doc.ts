/**
 * Writes docs/CONFIG.md (library), docs/IDP-CONFIG.md (identity provider) and docs/GATEWAY-CONFIG.md
 * (gateway) from their config schemas.
 */
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.ts';
import { renderGatewayConfigReference } from '../src/gateway/config/reference.ts';
import { renderIdpConfigReference } from '../src/idp/config/reference.ts';

writeFileSync(new URL('../docs/CONFIG.md', import.meta.url), renderConfigReference());
writeFileSync(new URL('../docs/IDP-CONFIG.md', import.meta.url), renderIdpConfigReference());
writeFileSync(new URL('../docs/GATEWAY-CONFIG.md', import.meta.url), renderGatewayConfigReference());
console.log('docs/CONFIG.md, docs/IDP-CONFIG.md and docs/GATEWAY-CONFIG.md written');

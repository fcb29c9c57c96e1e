/** Writes docs/CONFIG.md (library) and docs/IDP-CONFIG.md (identity provider) from their config schemas. */
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.ts';
import { renderIdpConfigReference } from '../src/idp/config/reference.ts';

writeFileSync(new URL('../docs/CONFIG.md', import.meta.url), renderConfigReference());
writeFileSync(new URL('../docs/IDP-CONFIG.md', import.meta.url), renderIdpConfigReference());
console.log('docs/CONFIG.md and docs/IDP-CONFIG.md written');

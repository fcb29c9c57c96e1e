/** Writes docs/CONFIG.md from the config schema. */
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.ts';

writeFileSync(new URL('../docs/CONFIG.md', import.meta.url), renderConfigReference());
console.log('docs/CONFIG.md written');

/** Writes docs/scalers.md from the scaler definitions (`npm run docs:scalers`). */
import { writeFileSync } from 'node:fs';
import { renderScalerDocs } from '../src/scalers/core/docs.js';
import { scalerDefinitions } from '../src/scalers/registry.js';

const target = new URL('../docs/scalers.md', import.meta.url);
writeFileSync(target, renderScalerDocs(scalerDefinitions));
console.log(`wrote ${target.pathname} (${scalerDefinitions.length} scalers)`);

/**
 * Writes deploy/crds/*.yaml and the Helm chart's copy (deploy/helm/tide/crds/) from tide's zod
 * schemas: `npx tsx scripts/gen-crds.ts`. src/operator/crds.test.ts fails when either is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildCrds, renderCrd } from '../src/operator/crds.js';

for (const where of ['deploy/crds/', 'deploy/helm/tide/crds/']) {
  const dir = new URL(`../${where}`, import.meta.url);
  mkdirSync(dir, { recursive: true });
  for (const [file, crd] of Object.entries(buildCrds())) {
    writeFileSync(new URL(file, dir), renderCrd(crd));
    console.log(`wrote ${where}${file}`);
  }
}

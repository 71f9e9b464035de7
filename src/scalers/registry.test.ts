import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderScalerDocs } from './core/docs.js';
import { getScalerDefinition, scalerDefinitions } from './registry.js';

test('scaler types are unique and sorted', () => {
  const types = scalerDefinitions.map((d) => d.type);
  assert.deepEqual(types, [...new Set(types)].sort());
});

test('every registered type is found by getScalerDefinition', () => {
  for (const d of scalerDefinitions) assert.equal(getScalerDefinition(d.type), d);
  assert.equal(getScalerDefinition('no-such-trigger'), undefined);
});

test('every parameter is documented', () => {
  for (const d of scalerDefinitions)
    for (const p of d.params) assert.ok(p.doc.length > 0, `${d.type}.${p.name}`);
});

test('docs/scalers.md is what npm run docs:scalers renders', () => {
  const committed = readFileSync(new URL('../../docs/scalers.md', import.meta.url), 'utf8');
  assert.equal(
    committed,
    renderScalerDocs(scalerDefinitions),
    'docs/scalers.md is stale: run `npm run docs:scalers`',
  );
});

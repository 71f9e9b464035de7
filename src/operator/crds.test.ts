import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCrds, renderCrd, toStructural } from './crds.js';

test('deploy/crds and the Helm chart CRDs match what scripts/gen-crds.ts generates', () => {
  for (const where of ['deploy/crds/', 'deploy/helm/tide/crds/']) {
    for (const [file, crd] of Object.entries(buildCrds())) {
      const onDisk = readFileSync(new URL(`../../${where}${file}`, import.meta.url), 'utf8');
      assert.equal(
        onDisk,
        renderCrd(crd),
        `${where}${file} is stale: run \`npx tsx scripts/gen-crds.ts\``,
      );
    }
  }
});

test('the CRDs carry KEDA names, short names, the status subresource and printer columns', () => {
  const crds = buildCrds();
  const names = Object.values(crds).map((c) => {
    const spec = c['spec'] as {
      group: string;
      names: { kind: string; shortNames: string[] };
      versions: {
        name: string;
        subresources: unknown;
        additionalPrinterColumns: { name: string }[];
      }[];
    };
    const v = spec.versions[0]!;
    assert.equal(spec.group, 'keda.sh');
    assert.equal(v.name, 'v1alpha1');
    assert.deepEqual(v.subresources, { status: {} });
    return {
      kind: spec.names.kind,
      short: spec.names.shortNames,
      columns: v.additionalPrinterColumns.map((x) => x.name),
    };
  });
  assert.deepEqual(
    names.find((n) => n.kind === 'ScaledObject'),
    {
      kind: 'ScaledObject',
      short: ['so'],
      columns: [
        'ScaleTargetKind',
        'ScaleTargetName',
        'Min',
        'Max',
        'Ready',
        'Active',
        'Fallback',
        'Paused',
        'Triggers',
        'Authentications',
        'Age',
      ],
    },
  );
  assert.deepEqual(names.find((n) => n.kind === 'ClusterTriggerAuthentication')?.short, [
    'cta',
    'clustertriggerauth',
  ]);
  assert.deepEqual(names.find((n) => n.kind === 'TriggerAuthentication')?.short, [
    'ta',
    'triggerauth',
  ]);
  assert.deepEqual(names.find((n) => n.kind === 'ScaledJob')?.short, ['sj']);
});

const cases = [
  {
    name: 'an open map becomes x-kubernetes-preserve-unknown-fields',
    input: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} },
    want: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
  {
    name: 'a map of strings stays a typed map',
    input: {
      type: 'object',
      propertyNames: { type: 'string' },
      additionalProperties: { type: 'string' },
    },
    want: { type: 'object', additionalProperties: { type: 'string' } },
  },
  {
    name: 'a number-or-string quantity becomes int-or-string',
    input: { anyOf: [{ type: 'number' }, { type: 'string', pattern: 'x' }] },
    want: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
  },
  {
    name: 'defaults and $schema are dropped, nested properties rewritten',
    input: { $schema: 'x', type: 'object', properties: { k: { type: 'string', default: 'A' } } },
    want: { type: 'object', properties: { k: { type: 'string' } } },
  },
];
for (const c of cases)
  test(`toStructural: ${c.name}`, () => assert.deepEqual(toStructural(c.input), c.want));

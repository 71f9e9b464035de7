import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError } from '../errors.js';
import { loadManifestsFromString } from './load.js';
import {
  deploymentDoc,
  issuesOf,
  load,
  scaledObjectDoc,
  secretDoc,
  toYaml,
} from './test-manifests.js';

test('reads every document of a multi-document file, defaulting the namespace', () => {
  const r = load(scaledObjectDoc(), deploymentDoc(), secretDoc('s', { k: 'v' }));
  assert.deepEqual(r.errors, []);
  assert.equal(r.set.scaledObjects.length, 1);
  assert.equal(r.set.deployments.length, 1);
  assert.equal(r.set.secrets.length, 1);
  assert.equal(r.set.scaledObjects[0]?.metadata.namespace, 'default');
  assert.deepEqual(r.files, ['test.yaml']);
});

test('records the file and the line where each document starts', () => {
  const r = loadManifestsFromString(toYaml(deploymentDoc('a'), deploymentDoc('b')), 'two.yaml');
  const lines = r.set.deployments.map((d) => d.source);
  assert.equal(lines[0]?.file, 'two.yaml');
  assert.equal(lines[0]?.line, 1);
  assert.ok((lines[1]?.line ?? 0) > 5);
});

test('lists objects of other kinds as ignored, not as errors', () => {
  const r = loadManifestsFromString(
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n',
    'svc.yaml',
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.set.ignored, [
    { source: { file: 'svc.yaml', line: 1 }, apiVersion: 'v1', kind: 'Service', name: 'svc' },
  ]);
});

test('skips empty documents such as a trailing ---', () => {
  const r = loadManifestsFromString(`${toYaml(deploymentDoc())}---\n`, 'x.yaml');
  assert.deepEqual(r.errors, []);
  assert.equal(r.set.deployments.length, 1);
});

const yamlCases = [
  {
    name: 'reports a // comment as invalid YAML with its line, column and a hint',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  // the worker\n  name: w\n',
    line: 4,
    hint: 'YAML comments start with "#", not "//"',
  },
  {
    name: 'reports tab indentation as invalid YAML with its line and a hint',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n\tname: w\n',
    line: 4,
    hint: 'indent with spaces',
  },
  {
    name: 'reports a duplicate key as invalid YAML at the second key',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  name: b\n',
    line: 5,
    hint: 'unique',
  },
];
for (const c of yamlCases) {
  test(c.name, () => {
    const r = loadManifestsFromString(c.text, 'bad.yaml');
    assert.equal(r.set.deployments.length, 0);
    const issue = r.errors[0]?.issues[0];
    assert.ok(issue, 'an issue is reported');
    assert.equal(issue.line, c.line);
    assert.equal(typeof issue.col, 'number');
    assert.match(issue.message, /^invalid YAML: /);
    assert.ok(issue.message.includes(c.hint), issue.message);
    assert.ok(r.errors[0] instanceof ManifestError);
    assert.equal(r.errors[0]?.ref.file, 'bad.yaml');
  });
}

test('reports every error of a file at once and applies nothing from it', () => {
  const text = toYaml(
    deploymentDoc('good'),
    scaledObjectDoc({ pollingInterval: 'ten', maxReplicaCount: 0 }),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad' },
      spec: { template: { spec: { containers: [] } } },
    },
  );
  const r = loadManifestsFromString(text, 'mixed.yaml');
  assert.deepEqual(issuesOf(r.errors), [
    'spec.pollingInterval: must be a positive integer, got "ten"',
    'spec.maxReplicaCount: must be a positive integer, got 0',
    'spec.template.spec.containers: must have at least one container',
  ]);
  assert.deepEqual(
    r.errors.map((e) => e.ref.object),
    ['ScaledObject default/so', 'Deployment default/bad'],
  );
  assert.equal(
    r.set.deployments.length,
    0,
    'the valid Deployment of an invalid file is not applied',
  );
});

test('a YAML error in one document still reports schema errors of the others', () => {
  const text = `${toYaml(scaledObjectDoc({ cooldownPeriod: -1 }))}---\nkind: Deployment\n  bad: [\n`;
  const r = loadManifestsFromString(text, 'f.yaml');
  const all = issuesOf(r.errors);
  assert.ok(
    all.includes('spec.cooldownPeriod: must be a non-negative integer, got -1'),
    all.join('\n'),
  );
  assert.ok(
    all.some((m) => m.startsWith(': invalid YAML')),
    all.join('\n'),
  );
});

test('points an issue at the line and column of the offending node', () => {
  const text = [
    'apiVersion: keda.sh/v1alpha1', // 1
    'kind: ScaledObject', // 2
    'metadata:', // 3
    '  name: so', // 4
    'spec:', // 5
    '  scaleTargetRef:', // 6
    '    name: worker', // 7
    '  triggers:', // 8
    '    - type: redis', // 9
    '      metadata:', // 10
    '        listName: jobs', // 11
    '        listLength: 10', // 12
  ].join('\n');
  const r = loadManifestsFromString(text, 'so.yaml');
  const issue = r.errors[0]?.issues[0];
  assert.deepEqual(issue, {
    path: 'spec.triggers[0].metadata.listLength',
    message: `must be a string, got 10: KEDA's CRD requires strings, quote it: "10"`,
    severity: 'error',
    line: 12,
    col: 21,
  });
  assert.equal(
    r.errors[0]?.message,
    `so.yaml:12:21: ScaledObject default/so: spec.triggers[0].metadata.listLength: must be a string, got 10: KEDA's CRD requires strings, quote it: "10"`,
  );
});

test('a missing required field points at its parent', () => {
  const r = loadManifestsFromString(
    'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so\nspec:\n  triggers: []\n',
    'so.yaml',
  );
  const issues = r.errors[0]?.issues ?? [];
  assert.deepEqual(
    issues.map((i) => [i.path, i.message, i.line]),
    [
      ['spec.scaleTargetRef', 'is required', 5],
      ['spec.triggers', 'must have at least one trigger', 6],
    ],
  );
});

test('warns about unknown spec fields without failing', () => {
  const r = load(scaledObjectDoc({ pollingIntervall: 10 }));
  assert.deepEqual(r.errors, []);
  assert.equal(r.set.scaledObjects.length, 1);
  assert.match(
    issuesOf(r.warnings)[0] ?? '',
    /^spec\.pollingIntervall: unknown field "pollingIntervall" in ScaledObject spec: Kubernetes would drop it/,
  );
});

test('rejects a KEDA kind under the old keda.k8s.io group', () => {
  const doc = { ...scaledObjectDoc(), apiVersion: 'keda.k8s.io/v1alpha1' };
  const r = load(doc);
  assert.deepEqual(issuesOf(r.errors), [
    'apiVersion: must be keda.sh/v1alpha1 for ScaledObject, got "keda.k8s.io/v1alpha1"',
  ]);
});

test('a document without apiVersion and kind is an error naming both', () => {
  const r = loadManifestsFromString('metadata:\n  name: x\n', 'x.yaml');
  assert.deepEqual(issuesOf(r.errors), ['apiVersion: is required', 'kind: is required']);
});

test('the same object defined twice is an error naming both places', () => {
  const r = load(deploymentDoc('w'), deploymentDoc('w'));
  assert.match(
    issuesOf(r.errors)[0] ?? '',
    /^metadata\.name: Deployment default\/w is defined twice \(also at test\.yaml:1\)$/,
  );
});

// ------------------------------------------------------------------ Secrets

test('decodes Secret data and lets stringData win on the same key', () => {
  const r = load(
    secretDoc(
      's',
      { b: 'plain' },
      { a: Buffer.from('one').toString('base64'), b: Buffer.from('two').toString('base64') },
    ),
  );
  assert.deepEqual(r.set.secrets[0]?.data, { a: 'one', b: 'plain' });
});

test('bad base64 in Secret data is an error naming data.<key>, never the value', () => {
  const r = load(secretDoc('s', {}, { token: 'hunter2-not-base64!' }));
  const messages = r.errors.map((e) => e.message).join('\n');
  assert.deepEqual(issuesOf(r.errors), [
    'data.token: must be base64-encoded (use stringData for plain text), got a value that is not valid base64',
  ]);
  assert.ok(!messages.includes('hunter2'));
});

test('a Secret value of the wrong type is described by its type, never its value', () => {
  const r = loadManifestsFromString(
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pin: 918273\n',
    's.yaml',
  );
  assert.deepEqual(issuesOf(r.errors), ['stringData.pin: must be a string, got a number']);
  assert.ok(!r.errors[0]?.message.includes('918273'));
});

test('YAML syntax errors never quote the source line (it may hold a secret)', () => {
  const r = loadManifestsFromString(
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "s3cr3t-value\n',
    's.yaml',
  );
  assert.ok(r.errors.length > 0);
  assert.ok(
    !r.errors
      .map((e) => e.message)
      .join('\n')
      .includes('s3cr3t'),
  );
});

test('a known kind under another apiVersion is ignored with a warning', () => {
  const doc = { ...deploymentDoc('old'), apiVersion: 'extensions/v1beta1' };
  const r = load(doc);
  assert.deepEqual(r.errors, []);
  assert.equal(r.set.deployments.length, 0);
  assert.equal(r.set.ignored[0]?.kind, 'Deployment');
  assert.deepEqual(issuesOf(r.warnings), [
    'apiVersion: Deployment is read as apps/v1 only; this "extensions/v1beta1" object is ignored',
  ]);
});

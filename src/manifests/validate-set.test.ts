/** validateSet beyond one ScaledObject: ScaledJobs, conflicts, references, auth, secrets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLocalTargets, validateSet } from './validate.js';
import {
  deploymentDoc,
  issuesOf,
  load,
  scaledJobDoc,
  scaledObjectDoc,
  secretDoc,
} from './test-manifests.js';

type Doc = Record<string, unknown>;
const redis = (extra: Doc = {}) => ({
  type: 'redis',
  metadata: { address: 'localhost:6379', listName: 'jobs' },
  ...extra,
});

function validate(...docs: Doc[]) {
  const r = load(deploymentDoc('worker'), ...docs);
  assert.deepEqual(issuesOf(r.errors), [], 'the documents load');
  return validateSet(r.set);
}

/** Each case: a ScaledObject spec patch and the exact errors / warnings validateSet reports. */
// cpu/memory cases check only that the rule's error is among
// the errors (the trigger's own metadata may add others), with `includes: true`.

test('ScaledJob: a trigger with a metricType fails', () => {
  const v = validate(scaledJobDoc({ triggers: [redis({ metricType: 'Value' })] }));
  assert.deepEqual(issuesOf(v.errors), [
    'spec.triggers[0].metricType: must not be set on a ScaledJob trigger (KEDA fails the reconcile), got "Value"',
  ]);
});

test('ScaledJob: useCachedMetrics on cpu is rejected like on a ScaledObject', () => {
  const v = validate(
    scaledJobDoc({ triggers: [redis(), { type: 'cpu', useCachedMetrics: true, metadata: {} }] }),
  );
  assert.ok(
    issuesOf(v.errors).includes(
      'spec.triggers[1].useCachedMetrics: cannot be enabled for trigger type cpu',
    ),
  );
});

test('two ScaledObjects targeting one Deployment conflict, both named', () => {
  const v = validate(scaledObjectDoc({}, { name: 'a' }), scaledObjectDoc({}, { name: 'b' }));
  assert.deepEqual(issuesOf(v.errors), [
    'spec.scaleTargetRef.name: ScaledObject default/b and ScaledObject default/a both target Deployment default/worker; a workload can be scaled by one ScaledObject only',
  ]);
  assert.equal(v.errors[0]?.ref.object, 'ScaledObject default/b');
});

test('two ScaledObjects owning one HPA name conflict', () => {
  const hpa = { advanced: { horizontalPodAutoscalerConfig: { name: 'shared' } } };
  const v = validate(
    deploymentDoc('other'),
    scaledObjectDoc(hpa, { name: 'a' }),
    scaledObjectDoc({ ...hpa, scaleTargetRef: { name: 'other' } }, { name: 'b' }),
  );
  assert.deepEqual(issuesOf(v.errors), [
    'spec.advanced.horizontalPodAutoscalerConfig.name: ScaledObject default/b and ScaledObject default/a both own the HPA default/shared',
  ]);
});

test('ScaledObjects in different namespaces may target workloads of the same name', () => {
  const v = validate(
    scaledObjectDoc({}, { name: 'a' }),
    scaledObjectDoc({}, { name: 'a', namespace: 'other' }),
  );
  assert.deepEqual(issuesOf(v.errors), []);
});

test('a workload env referencing a missing Secret key is an error on the env entry', () => {
  const r = load(
    secretDoc('redis-password', { other: 'x' }),
    deploymentDoc('worker', {
      env: [
        { name: 'A', value: '1' },
        { name: 'P', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'credentials' } } },
      ],
    }),
  );
  const v = validateSet(r.set);
  assert.deepEqual(issuesOf(v.errors), [
    'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef: Secret default/redis-password has no key "credentials"',
  ]);
  assert.equal(typeof v.errors[0]?.issues[0]?.line, 'number');
});

test('validation messages point at the line of the field', () => {
  const r = load(
    deploymentDoc('worker'),
    scaledObjectDoc({ minReplicaCount: 5, maxReplicaCount: 3 }),
  );
  const issue = validateSet(r.set).errors[0]?.issues[0];
  const text = r.set.scaledObjects[0] ? 'ok' : '';
  assert.equal(text, 'ok');
  assert.equal(typeof issue?.line, 'number');
  assert.ok((issue?.line ?? 0) > (r.set.scaledObjects[0]?.source.line ?? 0));
});

test('checkLocalTargets: a missing Deployment is an error naming it', () => {
  const r = load(scaledObjectDoc({ scaleTargetRef: { name: 'ghost' } }));
  assert.deepEqual(issuesOf(checkLocalTargets(r.set).errors), [
    'spec.scaleTargetRef.name: Deployment default/ghost not found in the loaded manifests',
  ]);
});

test('checkLocalTargets: a kind other than Deployment/StatefulSet is an error', () => {
  const r = load(
    scaledObjectDoc({
      scaleTargetRef: { name: 'x', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
    }),
  );
  assert.deepEqual(issuesOf(checkLocalTargets(r.set).errors), [
    'spec.scaleTargetRef: local mode scales apps/v1 Deployment or StatefulSet only, got argoproj.io/v1alpha1 Rollout',
  ]);
});

test('checkLocalTargets: a present StatefulSet target is fine', () => {
  const sts = { ...deploymentDoc('db'), kind: 'StatefulSet' };
  const r = load(sts, scaledObjectDoc({ scaleTargetRef: { name: 'db', kind: 'StatefulSet' } }));
  assert.deepEqual(issuesOf(checkLocalTargets(r.set).errors), []);
});

const taCases: { name: string; spec: Doc; errors: string[] }[] = [
  {
    name: 'azure-workload with an empty identityId fails',
    spec: { podIdentity: { provider: 'azure-workload', identityId: '' } },
    errors: ['spec.podIdentity.identityId: must not be empty when set'],
  },
  {
    name: 'azure-workload identityAuthorityHost needs a tenant',
    spec: { podIdentity: { provider: 'azure-workload', identityAuthorityHost: 'https://login' } },
    errors: ['spec.podIdentity.identityAuthorityHost: requires a non-empty identityTenantId'],
  },
  {
    name: 'aws roleArn with identityOwner workload fails',
    spec: { podIdentity: { provider: 'aws', roleArn: 'arn:r', identityOwner: 'workload' } },
    errors: ['spec.podIdentity.roleArn: is not allowed with identityOwner "workload"'],
  },
  {
    name: 'aws externalID without roleArn fails',
    spec: { podIdentity: { provider: 'aws', externalID: 'x' } },
    errors: ['spec.podIdentity.externalID: requires roleArn'],
  },
  {
    name: 'oauth2 needs clientCredentials, clientId and an http(s) tokenUrl',
    spec: { oauth2: { type: 'password', tokenUrl: 'ftp://x' } },
    errors: [
      'spec.oauth2.type: must be clientCredentials, got "password"',
      'spec.oauth2.clientId: is required',
      'spec.oauth2.tokenUrl: must be an http(s) URL, got "ftp://x"',
    ],
  },
  {
    name: 'a plain secretTargetRef TriggerAuthentication is valid',
    spec: { secretTargetRef: [{ parameter: 'p', name: 's', key: 'k' }] },
    errors: [],
  },
];
for (const c of taCases) {
  test(`TriggerAuthentication: ${c.name}`, () => {
    const v = validate({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'ta' },
      spec: c.spec,
    });
    assert.deepEqual(issuesOf(v.errors), c.errors);
  });
}

test('env with both value and valueFrom, or valueFrom with two sources, is rejected at load', () => {
  const r = load(
    deploymentDoc('w', {
      env: [
        { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        {
          name: 'B',
          valueFrom: {
            secretKeyRef: { name: 's', key: 'k' },
            configMapKeyRef: { name: 'c', key: 'k' },
          },
        },
      ],
    }),
  );
  assert.deepEqual(issuesOf(r.errors), [
    'spec.template.spec.containers[0].env[0].valueFrom: may not be specified when value is not empty',
    'spec.template.spec.containers[0].env[1].valueFrom: must specify exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef, got secretKeyRef and configMapKeyRef',
  ]);
});

test('a // remark inside a plain metadata value warns that YAML comments start with #', () => {
  const r = load(
    deploymentDoc('worker'),
    scaledObjectDoc({
      triggers: [
        { type: 'redis', metadata: { address: 'localhost:6379', listName: 'jobs   // the queue' } },
      ],
    }),
  );
  assert.deepEqual(issuesOf(r.warnings), [
    'spec.triggers[0].metadata.listName: the value contains " //": if that is a comment, YAML comments start with "#" (as written it is part of the value)',
  ]);
});

test('no load or validation message ever contains a secret value', () => {
  const secret = 'Tr0ub4dor-and-3';
  // The bad Secret is its own file: a file with an error applies nothing.
  const bad = load(secretDoc('creds', { password: secret }, { bad: `${secret}!!` }));
  const r = load(
    secretDoc('creds2', { password: secret }),
    deploymentDoc('worker', {
      env: [
        { name: 'P', valueFrom: { secretKeyRef: { name: 'creds2', key: 'password' } } },
        { name: 'Q', valueFrom: { secretKeyRef: { name: 'creds2', key: 'nope' } } },
      ],
    }),
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'ta' },
      spec: { secretTargetRef: [{ parameter: 'password', name: 'creds2', key: 'missing' }] },
    },
    scaledObjectDoc({
      triggers: [
        {
          type: 'redis',
          authenticationRef: { name: 'ta' },
          metadata: {
            address: 'localhost:6379',
            passwordFromEnv: 'P',
            listName: 'jobs',
            listLength: 'ten',
          },
        },
      ],
    }),
  );
  const v = validateSet(r.set);
  assert.equal(r.set.scaledObjects.length, 1);
  const all = [...bad.errors, ...r.errors, ...r.warnings, ...v.errors, ...v.warnings]
    .map((e) => e.message)
    .join('\n');
  assert.ok(all.includes('data.bad: must be base64-encoded'), all);
  assert.ok(all.includes('has no key "nope"'), all);
  assert.ok(all.includes('has no key "missing"'), all);
  assert.ok(all.includes('metadata.listLength'), all);
  assert.ok(!all.includes(secret), all);
});

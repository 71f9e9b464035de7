import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deploymentDoc,
  issuesOf,
  load,
  scaledJobDoc,
  scaledObjectDoc,
  secretDoc,
} from '../test-manifests.js';

const trig = (extra: Record<string, unknown>) => [
  { type: 'redis', metadata: { address: 'a:1', listName: 'l' }, ...extra },
];
const rules = (extra: Record<string, unknown>) => ({
  advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: extra } } },
});
const hpaAt = 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown';

/** Each case: one document, the exact `path: message` list the loader reports. */
const cases: { name: string; doc: Record<string, unknown>; errors: string[] }[] = [
  { name: 'accepts a minimal ScaledObject', doc: scaledObjectDoc(), errors: [] },
  {
    name: 'rejects a non-numeric pollingInterval',
    doc: scaledObjectDoc({ pollingInterval: 'ten' }),
    errors: ['spec.pollingInterval: must be a positive integer, got "ten"'],
  },
  {
    name: 'rejects pollingInterval 0 (min 1)',
    doc: scaledObjectDoc({ pollingInterval: 0 }),
    errors: ['spec.pollingInterval: must be a positive integer, got 0'],
  },
  {
    name: 'rejects a fractional pollingInterval',
    doc: scaledObjectDoc({ pollingInterval: 1.5 }),
    errors: ['spec.pollingInterval: must be a positive integer, got 1.5'],
  },
  {
    name: 'accepts cooldownPeriod 0 (min 0)',
    doc: scaledObjectDoc({ cooldownPeriod: 0 }),
    errors: [],
  },
  {
    name: 'rejects a negative cooldownPeriod',
    doc: scaledObjectDoc({ cooldownPeriod: -5 }),
    errors: ['spec.cooldownPeriod: must be a non-negative integer, got -5'],
  },
  {
    name: 'rejects a negative initialCooldownPeriod',
    doc: scaledObjectDoc({ initialCooldownPeriod: -1 }),
    errors: ['spec.initialCooldownPeriod: must be a non-negative integer, got -1'],
  },
  {
    name: 'rejects a negative minReplicaCount',
    doc: scaledObjectDoc({ minReplicaCount: -1 }),
    errors: ['spec.minReplicaCount: must be a non-negative integer, got -1'],
  },
  {
    name: 'rejects a negative idleReplicaCount',
    doc: scaledObjectDoc({ idleReplicaCount: -1 }),
    errors: ['spec.idleReplicaCount: must be a non-negative integer, got -1'],
  },
  {
    name: 'rejects maxReplicaCount 0 (min 1)',
    doc: scaledObjectDoc({ maxReplicaCount: 0 }),
    errors: ['spec.maxReplicaCount: must be a positive integer, got 0'],
  },
  {
    name: 'rejects a replica count beyond int32',
    doc: scaledObjectDoc({ maxReplicaCount: 2 ** 31 }),
    errors: ['spec.maxReplicaCount: must be a positive integer, got 2147483648'],
  },
  {
    name: 'requires scaleTargetRef.name',
    doc: scaledObjectDoc({ scaleTargetRef: { kind: 'Deployment' } }),
    errors: ['spec.scaleTargetRef.name: is required'],
  },
  {
    name: 'rejects an empty scaleTargetRef.name',
    doc: scaledObjectDoc({ scaleTargetRef: { name: '' } }),
    errors: ['spec.scaleTargetRef.name: must not be empty'],
  },
  {
    name: 'requires at least one trigger',
    doc: scaledObjectDoc({ triggers: [] }),
    errors: ['spec.triggers: must have at least one trigger'],
  },
  {
    name: 'requires a trigger type',
    doc: scaledObjectDoc({ triggers: [{ metadata: {} }] }),
    errors: ['spec.triggers[0].type: is required'],
  },
  {
    name: 'requires trigger metadata',
    doc: scaledObjectDoc({ triggers: [{ type: 'redis' }] }),
    errors: ['spec.triggers[0].metadata: is required'],
  },
  {
    name: 'rejects an unquoted number in trigger metadata and says to quote it',
    doc: scaledObjectDoc({ triggers: trig({ metadata: { listName: 'l', listLength: 10 } }) }),
    errors: [
      `spec.triggers[0].metadata.listLength: must be a string, got 10: KEDA's CRD requires strings, quote it: "10"`,
    ],
  },
  {
    name: 'rejects an unquoted boolean in trigger metadata and says to quote it',
    doc: scaledObjectDoc({ triggers: trig({ metadata: { enableTLS: true } }) }),
    errors: [
      `spec.triggers[0].metadata.enableTLS: must be a string, got true: KEDA's CRD requires strings, quote it: "true"`,
    ],
  },
  {
    name: 'rejects an unknown metricType',
    doc: scaledObjectDoc({ triggers: trig({ metricType: 'Average' }) }),
    errors: [
      'spec.triggers[0].metricType: must be one of AverageValue, Value, Utilization, got "Average"',
    ],
  },
  {
    name: 'rejects a non-boolean useCachedMetrics',
    doc: scaledObjectDoc({ triggers: trig({ useCachedMetrics: 'yes' }) }),
    errors: ['spec.triggers[0].useCachedMetrics: must be true or false, got "yes"'],
  },
  {
    name: 'rejects an unknown authenticationRef.kind',
    doc: scaledObjectDoc({ triggers: trig({ authenticationRef: { name: 'a', kind: 'Secret' } }) }),
    errors: [
      'spec.triggers[0].authenticationRef.kind: must be one of TriggerAuthentication, ClusterTriggerAuthentication, got "Secret"',
    ],
  },
  {
    name: 'requires authenticationRef.name',
    doc: scaledObjectDoc({ triggers: trig({ authenticationRef: {} }) }),
    errors: ['spec.triggers[0].authenticationRef.name: is required'],
  },
  {
    name: 'requires fallback.failureThreshold and replicas',
    doc: scaledObjectDoc({ fallback: {} }),
    errors: ['spec.fallback.failureThreshold: is required', 'spec.fallback.replicas: is required'],
  },
  {
    name: 'rejects negative fallback values',
    doc: scaledObjectDoc({ fallback: { failureThreshold: -1, replicas: -2 } }),
    errors: [
      'spec.fallback.failureThreshold: must be a non-negative integer, got -1',
      'spec.fallback.replicas: must be a non-negative integer, got -2',
    ],
  },
  {
    name: 'rejects an unknown fallback.behavior',
    doc: scaledObjectDoc({ fallback: { failureThreshold: 3, replicas: 1, behavior: 'last' } }),
    errors: [
      'spec.fallback.behavior: must be one of static, currentReplicas, currentReplicasIfHigher, currentReplicasIfLower, scalingModifiers, got "last"',
    ],
  },
  {
    name: 'rejects stabilizationWindowSeconds above 3600',
    doc: scaledObjectDoc(rules({ stabilizationWindowSeconds: 3601 })),
    errors: [
      `${hpaAt}.stabilizationWindowSeconds: must be an integer between 0 and 3600, got 3601`,
    ],
  },
  {
    name: 'rejects an unknown selectPolicy',
    doc: scaledObjectDoc(rules({ selectPolicy: 'Maximum' })),
    errors: [`${hpaAt}.selectPolicy: must be one of Max, Min, Disabled, got "Maximum"`],
  },
  {
    name: 'checks HPA policies: type enum, value > 0, periodSeconds 1..1800',
    doc: scaledObjectDoc(
      rules({ policies: [{ type: 'Replicas', value: 0, periodSeconds: 1801 }] }),
    ),
    errors: [
      `${hpaAt}.policies[0].type: must be one of Pods, Percent, got "Replicas"`,
      `${hpaAt}.policies[0].value: must be a positive integer, got 0`,
      `${hpaAt}.policies[0].periodSeconds: must be an integer between 1 and 1800, got 1801`,
    ],
  },
  {
    name: 'accepts a tolerance quantity in milli units',
    doc: scaledObjectDoc(rules({ tolerance: '50m' })),
    errors: [],
  },
  {
    name: 'rejects an unknown scalingModifiers.metricType',
    doc: scaledObjectDoc({ advanced: { scalingModifiers: { metricType: 'Total' } } }),
    errors: [
      'spec.advanced.scalingModifiers.metricType: must be one of AverageValue, Value, Utilization, got "Total"',
    ],
  },
  {
    name: 'rejects a non-boolean restoreToOriginalReplicaCount',
    doc: scaledObjectDoc({ advanced: { restoreToOriginalReplicaCount: 'yes' } }),
    errors: ['spec.advanced.restoreToOriginalReplicaCount: must be true or false, got "yes"'],
  },
  {
    name: 'rejects an unquoted annotation value',
    doc: scaledObjectDoc({}, { annotations: { 'autoscaling.keda.sh/paused': true } }),
    errors: [
      `metadata.annotations["autoscaling.keda.sh/paused"]: must be a string, got true: Kubernetes' API requires strings, quote it: "true"`,
    ],
  },
  {
    name: 'rejects an upper-case object name',
    doc: scaledObjectDoc({}, { name: 'My-SO' }),
    errors: ['metadata.name: must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got "My-SO"'],
  },
  { name: 'accepts a minimal ScaledJob', doc: scaledJobDoc(), errors: [] },
  {
    name: 'requires ScaledJob jobTargetRef',
    doc: scaledJobDoc({ jobTargetRef: undefined }),
    errors: ['spec.jobTargetRef: is required'],
  },
  {
    name: 'rejects negative history limits',
    doc: scaledJobDoc({ successfulJobsHistoryLimit: -1, failedJobsHistoryLimit: 'x' }),
    errors: [
      'spec.successfulJobsHistoryLimit: must be a non-negative integer, got -1',
      'spec.failedJobsHistoryLimit: must be a non-negative integer, got "x"',
    ],
  },
  {
    name: 'rejects an unknown scalingStrategy.strategy',
    doc: scaledJobDoc({ scalingStrategy: { strategy: 'fast' } }),
    errors: [
      'spec.scalingStrategy.strategy: must be one of default, custom, accurate, eager, got "fast"',
    ],
  },
  {
    name: 'rejects an unknown multipleScalersCalculation',
    doc: scaledJobDoc({ scalingStrategy: { multipleScalersCalculation: 'median' } }),
    errors: [
      'spec.scalingStrategy.multipleScalersCalculation: must be one of max, min, avg, sum, got "median"',
    ],
  },
  {
    name: 'rejects an unknown rollout.strategy',
    doc: scaledJobDoc({ rollout: { strategy: 'rolling' } }),
    errors: ['spec.rollout.strategy: must be one of default, gradual, immediate, got "rolling"'],
  },
  {
    name: 'rejects an unknown rollout.propagationPolicy',
    doc: scaledJobDoc({ rollout: { propagationPolicy: 'orphan' } }),
    errors: ['spec.rollout.propagationPolicy: must be one of foreground, background, got "orphan"'],
  },
  {
    name: 'checks the Job spec: backoffLimit, activeDeadlineSeconds, restartPolicy',
    doc: scaledJobDoc({
      jobTargetRef: {
        backoffLimit: -1,
        activeDeadlineSeconds: 0,
        template: { spec: { restartPolicy: 'Sometimes', containers: [{ name: 'j' }] } },
      },
    }),
    errors: [
      'spec.jobTargetRef.template.spec.restartPolicy: must be one of Always, OnFailure, Never, got "Sometimes"',
      'spec.jobTargetRef.backoffLimit: must be a non-negative integer, got -1',
      'spec.jobTargetRef.activeDeadlineSeconds: must be a positive integer, got 0',
    ],
  },
  {
    name: 'rejects restartPolicy Always on a Job template',
    doc: scaledJobDoc({
      jobTargetRef: {
        template: { spec: { restartPolicy: 'Always', containers: [{ name: 'j' }] } },
      },
    }),
    errors: [
      'spec.jobTargetRef.template.spec.restartPolicy: must be OnFailure or Never for a Job, got "Always"',
    ],
  },
  {
    name: 'rejects an unknown podIdentity provider',
    doc: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'ta' },
      spec: { podIdentity: { provider: 'azure' } },
    },
    errors: [
      'spec.podIdentity.provider: must be one of none, azure-workload, gcp, aws, aws-eks, got "azure"',
    ],
  },
  {
    name: 'requires parameter, name and key in secretTargetRef',
    doc: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'ta' },
      spec: { secretTargetRef: [{ parameter: 'p' }] },
    },
    errors: [
      'spec.secretTargetRef[0].name: is required',
      'spec.secretTargetRef[0].key: is required',
    ],
  },
  { name: 'accepts a minimal Deployment', doc: deploymentDoc(), errors: [] },
  {
    name: 'requires a container name',
    doc: deploymentDoc('w', { name: undefined }),
    errors: ['spec.template.spec.containers[0].name: is required'],
  },
  {
    name: 'requires command to be a list of strings',
    doc: deploymentDoc('w', { command: 'node worker.js' }),
    errors: ['spec.template.spec.containers[0].command: must be a list, got "node worker.js"'],
  },
  {
    name: 'rejects a number in args',
    doc: deploymentDoc('w', { args: ['--n', 5] }),
    errors: ['spec.template.spec.containers[0].args[1]: must be a string, got 5'],
  },
  {
    name: 'requires env names',
    doc: deploymentDoc('w', { env: [{ value: 'x' }] }),
    errors: ['spec.template.spec.containers[0].env[0].name: is required'],
  },
  {
    name: 'rejects an unquoted number as env value and says to quote it',
    doc: deploymentDoc('w', { env: [{ name: 'PORT', value: 6379 }] }),
    errors: [
      `spec.template.spec.containers[0].env[0].value: must be a string, got 6379: Kubernetes' API requires strings, quote it: "6379"`,
    ],
  },
  {
    name: 'requires name and key in secretKeyRef',
    doc: deploymentDoc('w', { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's' } } }] }),
    errors: ['spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: is required'],
  },
  {
    name: 'requires name in configMapKeyRef',
    doc: deploymentDoc('w', { env: [{ name: 'P', valueFrom: { configMapKeyRef: { key: 'k' } } }] }),
    errors: ['spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name: is required'],
  },
  {
    name: 'requires envFrom secretRef name',
    doc: deploymentDoc('w', { envFrom: [{ secretRef: {} }] }),
    errors: ['spec.template.spec.containers[0].envFrom[0].secretRef.name: is required'],
  },
  {
    name: 'rejects a negative terminationGracePeriodSeconds',
    doc: {
      ...deploymentDoc(),
      spec: {
        template: { spec: { terminationGracePeriodSeconds: -1, containers: [{ name: 'm' }] } },
      },
    },
    errors: [
      'spec.template.spec.terminationGracePeriodSeconds: must be a non-negative integer, got -1',
    ],
  },
  {
    name: 'rejects negative replicas',
    doc: deploymentDoc('w', {}, { replicas: -1 }),
    errors: ['spec.replicas: must be a non-negative integer, got -1'],
  },
  {
    name: 'rejects duplicate container names',
    doc: deploymentDoc(
      'w',
      {},
      { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } },
    ),
    errors: ['spec.template.spec.containers[1].name: duplicate container name "a"'],
  },
  {
    name: 'accepts a Secret with data and stringData',
    doc: secretDoc('s', { a: 'b' }, { c: 'ZA==' }),
    errors: [],
  },
  {
    name: 'rejects a tide job-cap annotation that is not a positive integer',
    doc: scaledJobDoc(
      {},
      {
        annotations: {
          'autoscaling.tide.dev/max-jobs-per-round': '0',
          'autoscaling.tide.dev/max-running-jobs': 'ten',
        },
      },
    ),
    errors: [
      'metadata.annotations["autoscaling.tide.dev/max-jobs-per-round"]: must be a positive integer, got "0"',
      'metadata.annotations["autoscaling.tide.dev/max-running-jobs"]: must be a positive integer, got "ten"',
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const r = load(c.doc);
    assert.deepEqual(issuesOf(r.errors), c.errors);
    if (c.errors.length) {
      assert.ok(
        r.errors.every((e) => e.issues.every((i) => typeof i.line === 'number')),
        'every issue has a line',
      );
    }
  });
}

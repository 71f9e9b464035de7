/** KEDA's ScaledObject webhook rules (keda.md §1.2), one named case each. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalerDefinitions } from '../scalers/registry.js';
import { validateSet } from './validate.js';
import { deploymentDoc, issuesOf, load, scaledObjectDoc } from './test-manifests.js';

/** The message lists every registered type, so the expectation follows the registry. */
const knownTypes = scalerDefinitions.map((d) => d.type).join(', ');

type Doc = Record<string, unknown>;
const redis = (extra: Doc = {}) => ({
  type: 'redis',
  metadata: { address: 'localhost:6379', listName: 'jobs' },
  ...extra,
});
const cpu = (extra: Doc = {}) => ({
  type: 'cpu',
  metricType: 'Utilization',
  metadata: { value: '50' },
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
const soCases: {
  name: string;
  spec?: Doc;
  meta?: Doc;
  errors?: string[];
  warnings?: string[];
  includes?: true;
}[] = [
  { name: 'a plain ScaledObject is valid', spec: {}, errors: [] },
  {
    name: 'min above max fails with the CRD rule and the webhook numbers',
    spec: { minReplicaCount: 5, maxReplicaCount: 3 },
    errors: [
      'spec.minReplicaCount: minReplicaCount must be less than or equal to maxReplicaCount (MinReplicaCount=5 must be less than MaxReplicaCount=3)',
    ],
  },
  {
    name: 'min above the default max of 100 fails',
    spec: { minReplicaCount: 101 },
    errors: [
      'spec.minReplicaCount: minReplicaCount must be less than or equal to maxReplicaCount (MinReplicaCount=101 must be less than MaxReplicaCount=100)',
    ],
  },
  {
    name: 'min equal to max is valid',
    spec: { minReplicaCount: 3, maxReplicaCount: 3 },
    errors: [],
  },
  {
    name: 'min unset with idleReplicaCount 0 fails (min counts as 0)',
    spec: { idleReplicaCount: 0 },
    errors: ['spec.idleReplicaCount: IdleReplicaCount=0 must be less than MinReplicaCount=0'],
  },
  {
    name: 'min 0 with idleReplicaCount 0 is valid (min counts as 1)',
    spec: { minReplicaCount: 0, idleReplicaCount: 0 },
    errors: [],
  },
  {
    name: 'min 1 with idleReplicaCount 1 fails',
    spec: { minReplicaCount: 1, idleReplicaCount: 1 },
    errors: ['spec.idleReplicaCount: IdleReplicaCount=1 must be less than MinReplicaCount=1'],
  },
  {
    name: 'min 2 with idleReplicaCount 0 is valid',
    spec: { minReplicaCount: 2, idleReplicaCount: 0 },
    errors: [],
  },
  {
    name: 'fallback with only cpu/memory triggers fails',
    spec: { minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 2 }, triggers: [cpu()] },
    errors: [
      'spec.fallback: at least one trigger (that is not cpu or memory) has to be defined with AverageValue metric type for fallback to work',
    ],
    includes: true,
  },
  {
    name: 'fallback with a Value trigger is valid',
    spec: {
      fallback: { failureThreshold: 3, replicas: 2 },
      triggers: [redis({ metricType: 'Value' })],
    },
    errors: [],
  },
  {
    name: 'fallback behavior scalingModifiers without a formula fails',
    spec: { fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' } },
    errors: [
      'spec.fallback.behavior: fallback behavior "scalingModifiers" requires spec.advanced.scalingModifiers.formula',
    ],
  },
  {
    name: 'duplicate trigger names fail',
    spec: { triggers: [redis({ name: 'a' }), redis({ name: 'a' })] },
    errors: [
      'spec.triggers[1].name: trigger name "a" is also used by spec.triggers[0]; names must be unique',
    ],
  },
  {
    name: 'several unnamed triggers are valid',
    spec: { triggers: [redis(), redis()] },
    errors: [],
  },
  {
    name: 'useCachedMetrics on a cron trigger fails',
    spec: {
      triggers: [
        redis(),
        {
          type: 'cron',
          useCachedMetrics: true,
          metadata: {
            timezone: 'Etc/UTC',
            start: '0 8 * * *',
            end: '0 18 * * *',
            desiredReplicas: '2',
          },
        },
      ],
    },
    errors: ['spec.triggers[1].useCachedMetrics: cannot be enabled for trigger type cron'],
  },
  {
    name: 'a name longer than 63 characters fails, as does the generated HPA name',
    meta: { name: 'n'.repeat(64) },
    errors: [
      'metadata.name: ScaledObject name must be at most 63 characters, got 64',
      `metadata.name: HPA name "keda-hpa-${'n'.repeat(64)}" must be at most 63 characters, got 73`,
    ],
  },
  {
    name: 'a 55-character name fails through keda-hpa-<name>',
    meta: { name: 'n'.repeat(55) },
    errors: [
      `metadata.name: HPA name "keda-hpa-${'n'.repeat(55)}" must be at most 63 characters, got 64`,
    ],
  },
  {
    name: 'a custom HPA name avoids the generated-name limit',
    meta: { name: 'n'.repeat(55) },
    spec: { advanced: { horizontalPodAutoscalerConfig: { name: 'short' } } },
    errors: [],
  },
  {
    name: 'all cpu/memory triggers with min 0 fail',
    spec: {
      triggers: [cpu(), { type: 'memory', metricType: 'Utilization', metadata: { value: '60' } }],
    },
    errors: [
      "spec.minReplicaCount: minReplicaCount must be at least 1 when all triggers are cpu or memory: scale to zero doesn't work with only cpu/memory triggers",
    ],
    includes: true,
  },
  {
    name: 'scalingModifiers without a formula fails',
    spec: { advanced: { scalingModifiers: { target: '2' } } },
    errors: ['spec.advanced.scalingModifiers.formula: is required when scalingModifiers is set'],
  },
  {
    name: 'a formula without a target fails',
    spec: { triggers: [redis({ name: 'a' })], advanced: { scalingModifiers: { formula: 'a' } } },
    errors: ['spec.advanced.scalingModifiers.target: is required when a formula is given'],
  },
  {
    name: 'a non-numeric target fails',
    spec: {
      triggers: [redis({ name: 'a' })],
      advanced: { scalingModifiers: { formula: 'a', target: 'two' } },
    },
    errors: ['spec.advanced.scalingModifiers.target: must be a number, got "two"'],
  },
  {
    name: 'a zero target fails',
    spec: {
      triggers: [redis({ name: 'a' })],
      advanced: { scalingModifiers: { formula: 'a', target: '0' } },
    },
    errors: ['spec.advanced.scalingModifiers.target: must be greater than 0, got "0"'],
  },
  {
    name: 'scalingModifiers metricType Utilization fails',
    spec: {
      triggers: [redis({ name: 'a' })],
      advanced: { scalingModifiers: { formula: 'a', target: '2', metricType: 'Utilization' } },
    },
    errors: [
      'spec.advanced.scalingModifiers.metricType: must be AverageValue or Value, got "Utilization" (Utilization is not supported with scalingModifiers)',
    ],
  },
  {
    name: 'a formula over named triggers is valid',
    spec: {
      triggers: [redis({ name: 'a' }), redis({ name: 'b' })],
      advanced: { scalingModifiers: { formula: '(a + b) / 2', target: '5' } },
    },
    errors: [],
  },
  {
    name: 'a formula KEDA accepts but tide cannot compute (a date function) warns, not fails',
    spec: {
      triggers: [redis({ name: 'a' })],
      advanced: { scalingModifiers: { formula: 'now().Hour() > 8 ? a : 0', target: '5' } },
    },
    errors: [],
    warnings: [
      'spec.advanced.scalingModifiers.formula: member access is not supported by tide at column 6. KEDA accepts this formula, but tide cannot compute it: the composite metric fails each round',
    ],
  },
  {
    name: 'a formula naming an unnamed trigger fails',
    spec: {
      triggers: [redis({ name: 'a' }), redis()],
      advanced: { scalingModifiers: { formula: 'a + b', target: '5' } },
    },
    errors: [
      'spec.advanced.scalingModifiers.formula: does not compile with the named triggers [a]: unknown name b (not a trigger name)',
    ],
  },
  {
    name: 'pollingInterval and cooldownPeriod with min > 0 warn they are not relevant',
    spec: { minReplicaCount: 1, pollingInterval: 10, cooldownPeriod: 60 },
    errors: [],
    warnings: [
      'spec.pollingInterval: PollingInterval is configured but is not relevant: with minReplicaCount > 0 and no idleReplicaCount, KEDA only uses it for activation, which never happens',
      'spec.cooldownPeriod: CooldownPeriod is configured but is not relevant: it only applies to scaling to zero (or to idleReplicaCount), and minReplicaCount > 0',
    ],
  },
  {
    name: 'pollingInterval with min > 0 and a cached-metrics trigger does not warn',
    spec: {
      minReplicaCount: 1,
      pollingInterval: 10,
      triggers: [redis({ useCachedMetrics: true })],
    },
    errors: [],
    warnings: [],
  },
  {
    name: 'paused-replicas that is not an int32 fails',
    meta: { annotations: { 'autoscaling.keda.sh/paused-replicas': 'three' } },
    errors: [
      'metadata.annotations["autoscaling.keda.sh/paused-replicas"]: must be a non-negative integer (int32), got "three"',
    ],
  },
  {
    name: 'a wait target that is not a positive number of seconds fails',
    meta: { annotations: { 'autoscaling.tide.dev/target-wait-seconds': '0' } },
    errors: [
      'metadata.annotations["autoscaling.tide.dev/target-wait-seconds"]: expected a number of seconds > 0, got "0"',
    ],
  },
  {
    name: 'a scale-in window that is not a number fails',
    meta: {
      annotations: {
        'autoscaling.tide.dev/target-wait-seconds': '10',
        'autoscaling.tide.dev/scale-in-stabilization-seconds': 'short',
      },
    },
    errors: [
      'metadata.annotations["autoscaling.tide.dev/scale-in-stabilization-seconds"]: expected a number of seconds ≥ 0, got "short"',
    ],
  },
  {
    name: 'a wait target and a scale-in window are valid',
    meta: {
      annotations: {
        'autoscaling.tide.dev/target-wait-seconds': '7.5',
        'autoscaling.tide.dev/scale-in-stabilization-seconds': '0',
      },
    },
    errors: [],
  },
  {
    name: 'a non-boolean paused annotation is accepted (KEDA counts it as true)',
    meta: { annotations: { 'autoscaling.keda.sh/paused': 'yes please' } },
    errors: [],
  },
  {
    name: 'an unknown trigger type warns, listing the known types (KEDA admits any type)',
    spec: { triggers: [{ type: 'redis-list', metadata: {} }] },
    errors: [],
    warnings: [
      `spec.triggers[0].type: tide has no scaler for trigger type "redis-list" (known types: ${knownTypes}). KEDA accepts any type; this trigger fails each round`,
    ],
  },
  {
    name: 'trigger metadata parse issues carry the trigger path',
    spec: {
      triggers: [
        {
          type: 'redis',
          metadata: { address: 'localhost:6379', listName: 'jobs', listLength: 'ten' },
        },
      ],
    },
    errors: ['spec.triggers[0].metadata.listLength: must be an integer, got "ten"'],
  },
  {
    name: 'a missing TriggerAuthentication warns (KEDA builds the scaler without auth)',
    spec: { triggers: [redis({ authenticationRef: { name: 'nope' } })] },
    errors: [],
    warnings: [
      'spec.triggers[0].authenticationRef: TriggerAuthentication default/nope not found: KEDA builds the scaler with no authentication parameters',
    ],
  },
];

for (const c of soCases) {
  test(`ScaledObject: ${c.name}`, () => {
    const v = validate(scaledObjectDoc(c.spec ?? {}, c.meta ?? {}));
    if (c.errors && c.includes)
      for (const e of c.errors)
        assert.ok(issuesOf(v.errors).includes(e), issuesOf(v.errors).join('\n'));
    else if (c.errors) assert.deepEqual(issuesOf(v.errors), c.errors);
    if (c.warnings) assert.deepEqual(issuesOf(v.warnings), c.warnings);
  });
}

/** A ScaledObject with one cpu trigger on a Deployment whose container has `resources`. */
function cpuOn(resources: Doc | undefined, trigger: Doc = cpu()) {
  const r = load(
    deploymentDoc('worker', resources ? { resources } : {}),
    scaledObjectDoc({ minReplicaCount: 1, triggers: [trigger, redis()] }),
  );
  assert.deepEqual(issuesOf(r.errors), [], 'the documents load');
  const v = validateSet(r.set);
  return issuesOf(v.errors).filter((e) => e.includes('request'));
}

test("a cpu trigger whose container has no cpu request is refused, as KEDA's webhook does", () => {
  assert.deepEqual(cpuOn(undefined), [
    "spec.triggers[0]: the scaledobject has a cpu trigger but the container main doesn't have the cpu request defined (Deployment default/worker), so KEDA's admission webhook refuses it",
  ]);
});

test('a request of 0 counts as none', () => {
  assert.equal(cpuOn({ requests: { cpu: '0' } }).length, 1);
});

test('a limit counts as a request (KEDA isWorkloadResourceSet)', () => {
  assert.deepEqual(cpuOn({ limits: { cpu: '500m' } }), []);
  assert.deepEqual(cpuOn({ requests: { cpu: '250m' } }), []);
});

test('memory is checked against the memory resource, and containerName picks the container', () => {
  const mem = { type: 'memory', metricType: 'AverageValue', metadata: { value: '256Mi' } };
  assert.equal(cpuOn({ requests: { cpu: '1' } }, mem).length, 1);
  assert.deepEqual(cpuOn({ requests: { memory: '1Gi' } }, mem), []);
  const other = { ...mem, metadata: { value: '256Mi', containerName: 'sidecar' } };
  assert.deepEqual(cpuOn(undefined, other), []);
});

test('listLength "-10" is refused at validate, naming the field (it was accepted, then ignored)', () => {
  const v = validate(
    scaledObjectDoc({
      triggers: [
        {
          type: 'redis',
          metadata: { address: 'localhost:6379', listName: 'jobs', listLength: '-10' },
        },
      ],
    }),
  );
  assert.deepEqual(issuesOf(v.errors), [
    'spec.triggers[0].metadata.listLength: must be a positive number, got "-10"',
  ]);
});

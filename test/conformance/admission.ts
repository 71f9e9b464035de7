/**
 * Admission, from KEDA's `apis/keda/v1alpha1` tests. Per keda.md §8 only two kinds of case are
 * evidence: the pure-function unit tests (`scaledobject_types_test.go`,
 * `scaletriggers_types_test.go`, `scaledjob_types_test.go`) and the envtests that expect an
 * object to be *admitted* (`scaledobject_webhook_test.go`, `triggerauthentication_webhook_test.go`,
 * plus the warning tests that call `ValidateCreate` directly). The envtests expecting a
 * rejection pass even when nothing rejects (they retry `Create` until it errors), so they are
 * not transcribed.
 *
 * The admitted envtests run through tide's own webhook (`KedaAdmission.review`, the code
 * `tide operator` serves) over an in-memory cluster holding what the envtest created; the unit
 * tests run through `tide validate`'s rules (`load` + `validateSet`) or the function tide has
 * for the same question.
 */
import { pino } from 'pino';
import { stringify } from 'yaml';
import { parsePauseAnnotations } from '../../src/engine/pause.js';
import {
  hpaMaxReplicas,
  hpaMinReplicas,
  usesScalingModifiers,
} from '../../src/manifests/defaults.js';
import { loadManifestsFromString } from '../../src/manifests/load.js';
import type { ScaledObject } from '../../src/manifests/types.js';
import { validateSet } from '../../src/manifests/validate.js';
import type { KubeClient } from '../../src/targets/kubernetes/kube-client.js';
import { KedaAdmission, type AdmittedKind } from '../../src/operator/webhook/admission.js';
import { table, type Case } from './harness.js';

type Doc = Record<string, unknown>;
const TYPES = 'apis/keda/v1alpha1/scaledobject_types_test.go';
const WEBHOOK = 'apis/keda/v1alpha1/scaledobject_webhook_test.go';

// --- tide validate over one ScaledObject ------------------------------------------------------

function soDoc(spec: Doc, metadata: Doc = {}): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'so', namespace: 'default', ...metadata },
    spec: { scaleTargetRef: { name: 'workload' }, ...spec },
  };
}

/** The errors `tide validate` reports (load and validation) whose path starts with `prefix`. */
function validateErrors(docs: Doc[], prefix: string): string[] {
  const r = loadManifestsFromString(docs.map((d) => stringify(d)).join('---\n'), 'test.yaml');
  const v = validateSet(r.set);
  return [...r.errors, ...v.errors]
    .flatMap((e) => e.issues)
    .filter((i) => i.path.startsWith(prefix))
    .map((i) => `${i.path}: ${i.message}`);
}

const verdict = (errors: string[]): string => (errors.length ? 'refused' : 'admitted');

// CheckFallbackValid ---------------------------------------------------------------------------

const trig = (type: string, metricType?: string): Doc => ({
  type,
  metadata: {},
  ...(metricType ? { metricType } : {}),
});
const fb = (failureThreshold = 3, replicas = 1) => ({ failureThreshold, replicas });
const fallbackCases: Case<Doc, string>[] = (
  [
    ['No fallback configured', { triggers: [trig('couchdb')] }, 'admitted'],
    [
      'Explicit AverageValue metricType - valid',
      { fallback: fb(), triggers: [trig('couchdb', 'AverageValue')] },
      'admitted',
    ],
    [
      'Implicit AverageValue metricType (empty string) - valid',
      { fallback: fb(), triggers: [trig('couchdb')] },
      'admitted',
    ],
    [
      'Value metricType - valid',
      { fallback: fb(), triggers: [trig('couchdb', 'Value')] },
      'admitted',
    ],
    [
      'Multiple triggers with one valid AverageValue - valid',
      {
        fallback: fb(),
        triggers: [trig('prometheus', 'Value'), trig('couchdb', 'AverageValue')],
      },
      'admitted',
    ],
    [
      'CPU trigger - invalid',
      { fallback: fb(), triggers: [trig('cpu', 'AverageValue')] },
      'refused',
    ],
    [
      'Memory trigger - invalid',
      { fallback: fb(), triggers: [trig('memory', 'AverageValue')] },
      'refused',
    ],
    [
      'Multiple triggers with one CPU and one valid - valid',
      { fallback: fb(), triggers: [trig('cpu', 'Utilization'), trig('couchdb', 'AverageValue')] },
      'admitted',
    ],
    [
      'Negative FailureThreshold - invalid',
      { fallback: fb(-1, 1), triggers: [trig('couchdb', 'AverageValue')] },
      'refused',
    ],
    [
      'Negative Replicas - invalid',
      { fallback: fb(3, -1), triggers: [trig('couchdb', 'AverageValue')] },
      'refused',
    ],
    [
      'Using ScalingModifiers with AverageValue MetricType - valid',
      {
        fallback: fb(),
        advanced: { scalingModifiers: { metricType: 'AverageValue', formula: 'x * 2' } },
        triggers: [trig('couchdb')],
      },
      'admitted',
    ],
    [
      'Using ScalingModifiers with Value MetricType - valid',
      {
        fallback: fb(),
        advanced: { scalingModifiers: { metricType: 'Value', formula: 'x * 2' } },
        triggers: [trig('couchdb')],
      },
      'admitted',
    ],
  ] as [string, Doc, string][]
).map(([name, spec, keda]) => ({ go: `TestCheckFallbackValid "${name}"`, input: spec, keda }));

// CheckReplicaCountBoundsAreValid ---------------------------------------------------------------

const boundsCases: Case<Doc, string>[] = (
  [
    ['Valid: min 1, max 5, no idle', { minReplicaCount: 1, maxReplicaCount: 5 }, 'admitted'],
    [
      'Valid: min 1, max 5, idle 0',
      { minReplicaCount: 1, maxReplicaCount: 5, idleReplicaCount: 0 },
      'admitted',
    ],
    ['Invalid: min 2 > max 1', { minReplicaCount: 2, maxReplicaCount: 1 }, 'refused'],
    [
      'Invalid: idle 1 == min 1',
      { minReplicaCount: 1, maxReplicaCount: 5, idleReplicaCount: 1 },
      'refused',
    ],
    [
      'Invalid: idle 2 > min 1',
      { minReplicaCount: 1, maxReplicaCount: 5, idleReplicaCount: 2 },
      'refused',
    ],
  ] as [string, Doc, string][]
).map(([name, spec, keda]) => ({
  go: `TestCheckReplicaCountBoundsAreValid "${name}"`,
  input: { ...spec, triggers: [trig('couchdb')] },
  keda,
}));

// ValidateTriggers -----------------------------------------------------------------------------

const triggerCases: Case<Doc[], string>[] = (
  [
    [
      'valid triggers',
      [
        { name: 'trigger1', type: 'cpu', metricType: 'Utilization', metadata: {} },
        { name: 'trigger2', type: 'prometheus', metadata: {} },
      ],
      'admitted',
    ],
    [
      'duplicate trigger names',
      [
        { name: 'trigger1', type: 'cpu', metricType: 'Utilization', metadata: {} },
        { name: 'trigger1', type: 'prometheus', metadata: {} },
      ],
      'refused',
    ],
    [
      'unsupported useCachedMetrics property for cpu scaler',
      [{ name: 'trigger1', type: 'cpu', useCachedMetrics: true, metadata: {} }],
      'refused',
    ],
    [
      'unsupported useCachedMetrics property for memory scaler',
      [{ name: 'trigger2', type: 'memory', useCachedMetrics: true, metadata: {} }],
      'refused',
    ],
    [
      'unsupported useCachedMetrics property for cron scaler',
      [{ name: 'trigger3', type: 'cron', useCachedMetrics: true, metadata: {} }],
      'refused',
    ],
    [
      'supported useCachedMetrics property for kafka scaler',
      [{ name: 'trigger4', type: 'kafka', useCachedMetrics: true, metadata: {} }],
      'admitted',
    ],
    ['empty triggers array should be blocked', [], 'refused'],
  ] as [string, Doc[], string][]
).map(([name, triggers, keda]) => ({
  go: `TestValidateTriggers "${name}"`,
  input: triggers,
  keda,
}));

/** ValidateTriggers' own errors: the trigger list, names and useCachedMetrics (not metadata). */
function runTriggers(triggers: Doc[]): string {
  const errors = validateErrors([soDoc({ minReplicaCount: 1, triggers })], 'spec.triggers').filter(
    (e) => !/^spec\.triggers\[\d+\]\.metadata|^spec\.triggers\[\d+\]:/.test(e),
  );
  return verdict(errors);
}

// Pause annotations, IsUsingModifiers, HPA replicas -------------------------------------------

const PAUSED = 'autoscaling.keda.sh/paused';
const PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
type Annotations = Record<string, string>;

const hasPausedCases: Case<Annotations, boolean>[] = (
  [
    ['No annotations', {}, false],
    ['Has PausedAnnotation only', { [PAUSED]: 'true' }, true],
    ['Has PausedReplicasAnnotation only', { [PAUSED_REPLICAS]: '5' }, true],
    ['Has both annotations', { [PAUSED]: 'true', [PAUSED_REPLICAS]: '5' }, true],
    ['Has other annotations but not paused ones', { 'some-other-annotation': 'value' }, false],
  ] as [string, Annotations, boolean][]
).map(([name, annotations, keda]) => ({
  go: `TestHasPausedAnnotation "${name}"`,
  input: annotations,
  keda,
}));

/** NeedToBePausedByAnnotation: the status' paused count does not change the answer. */
const needPausedCases: Case<Annotations, boolean>[] = (
  [
    ['No annotations', {}, false],
    ['PausedAnnotation with true value', { [PAUSED]: 'true' }, true],
    ['PausedAnnotation with false value', { [PAUSED]: 'false' }, false],
    ['PausedAnnotation with invalid value', { [PAUSED]: 'invalid' }, true],
    ['PausedReplicasAnnotation with value and status set', { [PAUSED_REPLICAS]: '5' }, true],
    ['PausedReplicasAnnotation with value but no status set', { [PAUSED_REPLICAS]: '5' }, true],
    ['Both annotations set', { [PAUSED]: 'true', [PAUSED_REPLICAS]: '5' }, true],
    [
      'Both annotations set, PausedAnnotation false',
      { [PAUSED]: 'false', [PAUSED_REPLICAS]: '5' },
      true,
    ],
  ] as [string, Annotations, boolean][]
).map(([name, annotations, keda]) => ({
  go: `TestNeedToBePausedByAnnotation "${name}"`,
  input: annotations,
  keda,
}));

function runPaused(annotations: Annotations): boolean {
  const r = parsePauseAnnotations(annotations);
  return r.ok && r.value.paused;
}

/** HasPausedAnnotation: either annotation is present, whatever its value. */
function runHasPaused(annotations: Annotations): boolean {
  return PAUSED in annotations || PAUSED_REPLICAS in annotations;
}

const pausedCountCases: Case<Annotations, number | null | 'error'>[] = (
  [
    ['nil annotations returns nil', {}, null],
    ['annotation absent returns nil', { 'other-annotation': 'value' }, null],
    ['valid integer annotation returns pointer to value', { [PAUSED_REPLICAS]: '5' }, 5],
    ['zero value annotation returns pointer to zero', { [PAUSED_REPLICAS]: '0' }, 0],
    ['invalid string annotation returns error', { [PAUSED_REPLICAS]: 'not-a-number' }, 'error'],
  ] as [string, Annotations, number | null | 'error'][]
).map(([name, annotations, keda]) => ({
  go: `TestGetPausedReplicaCount "${name}"`,
  input: annotations,
  keda,
}));

function runPausedCount(annotations: Annotations): number | null | 'error' {
  const r = parsePauseAnnotations(annotations);
  return r.ok ? (r.value.pausedReplicas ?? null) : 'error';
}

const modifiersCases: Case<Doc | undefined, boolean>[] = (
  [
    ['No Advanced config', undefined, false],
    ['Empty ScalingModifiers', { scalingModifiers: {} }, false],
    ['Has ScalingModifiers formula', { scalingModifiers: { formula: 'x * 2' } }, true],
    ['Has ScalingModifiers target', { scalingModifiers: { target: '100' } }, true],
  ] as [string, Doc | undefined, boolean][]
).map(([name, advanced, keda]) => ({
  go: `TestIsUsingModifiers "${name}"`,
  input: advanced,
  keda,
}));

const asSo = (spec: Doc): Pick<ScaledObject, 'spec'> => ({
  spec: { scaleTargetRef: { name: 'w' }, triggers: [], ...spec },
});

const hpaReplicaCases: Case<Doc, { min: number; max: number }>[] = (
  [
    ['Default min and max', {}, 1, 100],
    ['Custom min, default max', { minReplicaCount: 5 }, 5, 100],
    ['Default min, custom max', { maxReplicaCount: 10 }, 1, 10],
    ['Custom min and max', { minReplicaCount: 5, maxReplicaCount: 10 }, 5, 10],
    ['Zero min, default max', { minReplicaCount: 0 }, 1, 100],
  ] as [string, Doc, number, number][]
).map(([name, spec, min, max]) => ({
  go: `TestGetHPAReplicas "${name}"`,
  input: spec,
  keda: { min, max },
}));

// --- tide's webhook over an in-memory cluster --------------------------------------------------

interface Review {
  kind: AdmittedKind;
  operation?: 'CREATE' | 'UPDATE';
  object: Doc;
  oldObject?: Doc;
  dryRun?: boolean;
  /** What the envtest created first (Deployments, StatefulSets, HPAs, LimitRanges, ScaledObjects). */
  cluster?: Doc[];
}
interface ReviewOutcome {
  verdict: 'admitted' | 'refused';
  /** Substrings the warnings must (true) or must not (false) contain. */
  warns?: Record<string, boolean>;
  warnings?: number;
  /** The paths of the errors, when refused. */
  refusedFor?: string[];
}

const PLURAL: Record<string, string> = {
  Deployment: 'apps/v1/deployments',
  StatefulSet: 'apps/v1/statefulsets',
  HorizontalPodAutoscaler: 'autoscaling/v2/horizontalpodautoscalers',
  ScaledObject: 'keda.sh/v1alpha1/scaledobjects',
};

/** A KubeClient answering from the objects an envtest created (404 for anything else). */
function fakeClient(objects: Doc[]): KubeClient {
  const byPath = new Map<string, unknown>();
  const lists = new Map<string, Doc[]>();
  for (const o of objects) {
    const meta = o.metadata as { name: string; namespace: string };
    const kind = o.kind as string;
    const base =
      kind === 'LimitRange'
        ? `/api/v1/namespaces/${meta.namespace}/limitranges`
        : `/apis/${(PLURAL[kind] ?? '').replace(/\/([a-z]+)$/, `/namespaces/${meta.namespace}/$1`)}`;
    byPath.set(`${base}/${meta.name}`, o);
    lists.set(base, [...(lists.get(base) ?? []), o]);
  }
  const find = (path: string): unknown => {
    const hit = byPath.get(path);
    if (hit) return hit;
    // A list the envtest left empty is an empty list.
    if (/\/(scaledobjects|horizontalpodautoscalers|limitranges)$/.test(path))
      return { items: lists.get(path) ?? [] };
    return lists.has(path) ? { items: lists.get(path) } : undefined;
  };
  return {
    find: async (path: string) => find(path),
    get: async (path: string) => {
      const v = find(path);
      if (v === undefined) throw new Error(`404 ${path}`);
      return v;
    },
  } as unknown as KubeClient;
}

async function runReview(r: Review): Promise<ReviewOutcome> {
  const admission = new KedaAdmission({
    client: fakeClient(r.cluster ?? []),
    logger: pino({ level: 'silent' }),
    clusterObjectNamespace: 'keda',
  });
  const v = await admission.review({
    kind: r.kind,
    operation: r.operation ?? 'CREATE',
    object: r.object,
    ...(r.oldObject ? { oldObject: r.oldObject } : {}),
    ...(r.dryRun ? { dryRun: true } : {}),
  });
  const text = v.warnings.map((w) => w.message);
  const warns: Record<string, boolean> = {};
  for (const s of [
    'PollingInterval is configured but is not relevant',
    'CooldownPeriod is configured but is not relevant',
  ])
    warns[s] = text.some((t) => t.includes(s));
  return {
    verdict: v.errors.length ? 'refused' : 'admitted',
    warns,
    warnings: v.warnings.length,
    ...(v.errors.length ? { refusedFor: v.errors.map((e) => e.path).sort() } : {}),
  };
}

const NS = 'envtest';
const WORKLOAD = 'test-workload';

/** createDeployment / createStatefulSet: one container whose requests are 100m or 0. */
function workload(
  kind: 'Deployment' | 'StatefulSet',
  cpu: boolean,
  memory: boolean,
  limits?: Doc,
): Doc {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: WORKLOAD, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { test: 'test' } },
      template: {
        metadata: { labels: { test: 'test' } },
        spec: {
          containers: [
            {
              name: 'test',
              image: 'test',
              resources: {
                requests: { cpu: cpu ? '100m' : '0', memory: memory ? '100m' : '0' },
                ...(limits ? { limits } : {}),
              },
            },
          ],
        },
      },
    },
  };
}

const CRON = {
  type: 'cron',
  metadata: { timezone: 'UTC', start: '0 * * * *', end: '1 * * * *', desiredReplicas: '1' },
};
const WORKLOAD_TRIGGER = (name?: string, metricType?: string): Doc => ({
  type: 'kubernetes-workload',
  ...(name ? { name } : {}),
  metadata: { podSelector: 'pod=workload-test', value: '1' },
  ...(metricType ? { metricType } : {}),
});

/** createScaledObject: cron (+ cpu and memory), idle 1, min 5, max 10. */
function scaledObject(o: {
  name?: string;
  target?: string;
  apiVersion?: string;
  kind?: string;
  cpuAndMemory?: boolean;
  annotations?: Annotations;
  hpaName?: string;
  spec?: Doc;
}): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: o.name ?? 'test-so',
      namespace: NS,
      uid: o.name ?? 'test-so',
      annotations: o.annotations ?? {},
    },
    spec: {
      scaleTargetRef: {
        name: o.target ?? WORKLOAD,
        apiVersion: o.apiVersion ?? 'apps/v1',
        kind: o.kind ?? 'Deployment',
      },
      idleReplicaCount: 1,
      minReplicaCount: 5,
      maxReplicaCount: 10,
      triggers: [
        CRON,
        ...(o.cpuAndMemory
          ? [
              { type: 'cpu', metadata: { value: '10' } },
              { type: 'memory', metadata: { value: '10' } },
            ]
          : []),
      ],
      advanced: o.hpaName ? { horizontalPodAutoscalerConfig: { name: o.hpaName } } : {},
      ...o.spec,
    },
  };
}

function hpa(name: string, target: string, owner?: string, annotations?: Annotations): Doc {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: NS,
      ...(annotations ? { annotations } : {}),
      ...(owner
        ? {
            ownerReferences: [
              { kind: 'ScaledObject', name: owner, apiVersion: 'keda.sh', uid: owner },
            ],
          }
        : {}),
    },
    spec: {
      scaleTargetRef: { name: target, apiVersion: 'apps/v1', kind: 'Deployment' },
      minReplicas: 5,
      maxReplicas: 10,
    },
  };
}

/** createScaledObjectSTZ: a cpu trigger (+ a kubernetes-workload one), cooldown 1. */
function stz(min: number, external: boolean): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'test-so', namespace: NS, uid: 'test-so' },
    spec: {
      scaleTargetRef: { name: WORKLOAD },
      minReplicaCount: min,
      maxReplicaCount: 5,
      cooldownPeriod: 1,
      triggers: [
        { type: 'cpu', metadata: { value: '10' } },
        ...(external ? [WORKLOAD_TRIGGER()] : []),
      ],
    },
  };
}

/** createScaledObjectScalingModifiers: min 0, max 10, cooldown 1, the given triggers. */
function modifiers(sm: Doc, triggers: Doc[], extra: Doc = {}): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'test-so', namespace: NS, uid: 'test-so' },
    spec: {
      scaleTargetRef: { name: WORKLOAD },
      minReplicaCount: 0,
      maxReplicaCount: 10,
      cooldownPeriod: 1,
      triggers,
      advanced: { scalingModifiers: sm },
      ...extra,
    },
  };
}
const CRON_NAMED = (name: string): Doc => ({ ...CRON, name });

const admitted: ReviewOutcome = { verdict: 'admitted' };
const it = (name: string, input: Review, keda: ReviewOutcome = admitted) => ({
  go: `It("${name}")`,
  input,
  keda,
});

/**
 * The envtest's cpu/memory triggers have no `metricType`: KEDA's webhook does not parse trigger
 * metadata and admits them (the cpu scaler then fails to build, "unknown metric type"); tide
 * checks metadata with the scaler's parser at admission and refuses them, and for nothing else.
 */
function noMetricType(
  c: Case<Review, ReviewOutcome>,
  triggers: number[],
): Case<Review, ReviewOutcome> {
  return {
    ...c,
    differs: {
      id: 'metadata-at-admission',
      tide: {
        verdict: 'refused',
        refusedFor: triggers.map((i) => `spec.triggers[${i}].metricType`),
      },
    },
  };
}

const ownSo = scaledObject({});
const webhookCases: Case<Review, ReviewOutcome>[] = [
  it("should validate the so creation when there isn't any hpa", {
    kind: 'ScaledObject',
    object: scaledObject({}),
  }),
  it('should validate the so creation when there are other SO for other workloads', {
    kind: 'ScaledObject',
    object: scaledObject({ name: 'other-so-name', target: 'other-workload' }),
    cluster: [scaledObject({})],
  }),
  it(
    'should validate the so creation when another SO targets the same name with a different Kind',
    {
      kind: 'ScaledObject',
      object: scaledObject({
        name: 'so-for-statefulset',
        target: 'shared-target',
        kind: 'StatefulSet',
      }),
      cluster: [scaledObject({ name: 'so-for-deployment', target: 'shared-target' })],
    },
  ),
  it('should validate the so creation when there are other HPA for other workloads', {
    kind: 'ScaledObject',
    object: scaledObject({}),
    cluster: [hpa('other-hpa-name', 'other-workload')],
  }),
  it("should validate the so creation when it's own hpa is already generated", {
    kind: 'ScaledObject',
    object: ownSo,
    cluster: [hpa('test-so-hpa', WORKLOAD, 'test-so')],
  }),
  it("should validate the so update when it's own hpa is already generated", {
    kind: 'ScaledObject',
    operation: 'UPDATE',
    object: scaledObject({ spec: { maxReplicaCount: 7 } }),
    oldObject: ownSo,
    cluster: [hpa('test-so-hpa', WORKLOAD, 'test-so'), ownSo],
  }),
  noMetricType(
    it(
      'should validate the so creation when the fallback is configured, and at least one trigger (besides cpu/memory) is configured.',
      {
        kind: 'ScaledObject',
        object: scaledObject({
          cpuAndMemory: true,
          spec: {
            triggers: [
              CRON,
              { type: 'cpu', metadata: { value: '10' } },
              { type: 'memory', metadata: { value: '10' } },
              WORKLOAD_TRIGGER('workload_trig_1', 'Value'),
              WORKLOAD_TRIGGER('workload_trig_2', 'AverageValue'),
            ],
            fallback: { failureThreshold: 3, replicas: 6 },
          },
        }),
        cluster: [workload('Deployment', true, true)],
      },
    ),
    [1, 2],
  ),
  it(
    'should validate the so creation when there is another unmanaged hpa and so has transfer-hpa-ownership activated and the name is specified',
    {
      kind: 'ScaledObject',
      object: scaledObject({
        annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' },
        hpaName: 'test-unmanaged-hpa-ownership-with-name',
      }),
      cluster: [hpa('test-unmanaged-hpa-ownership-with-name', WORKLOAD)],
    },
  ),
  it("shouldn't validate the so creation when hpa has shared-ownership unactivated", {
    kind: 'ScaledObject',
    object: scaledObject({
      annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'false' },
      hpaName: 'test-hpa-disabled-validation-by-hpa-ownership',
    }),
    cluster: [
      hpa('test-hpa-disabled-validation-by-hpa-ownership', WORKLOAD, undefined, {
        'validations.keda.sh/hpa-ownership': 'false',
      }),
    ],
  }),
  noMetricType(
    it('should validate the so creation with cpu and memory when deployment has requests', {
      kind: 'ScaledObject',
      object: scaledObject({ cpuAndMemory: true }),
      cluster: [workload('Deployment', true, true)],
    }),
    [1, 2],
  ),
  noMetricType(
    it(
      'should validate the creation with cpu and memory when deployment is missing and dry-run is true',
      {
        kind: 'ScaledObject',
        object: scaledObject({ cpuAndMemory: true }),
        dryRun: true,
      },
    ),
    [1, 2],
  ),
  noMetricType(
    it(
      "should validate the SO creation with CPU and memory when deployment doesn't have CPU and memory, but LimitRange has the limits specified",
      {
        kind: 'ScaledObject',
        object: scaledObject({ cpuAndMemory: true }),
        cluster: [
          workload('Deployment', false, false),
          {
            apiVersion: 'v1',
            kind: 'LimitRange',
            metadata: { name: 'test-limit-range', namespace: NS },
            spec: { limits: [{ type: 'Container', default: { cpu: '100m', memory: '100m' } }] },
          },
        ],
      },
    ),
    [1, 2],
  ),
  noMetricType(
    it('should validate the so creation with cpu and memory when statefulset has requests', {
      kind: 'ScaledObject',
      object: scaledObject({ cpuAndMemory: true, kind: 'StatefulSet' }),
      cluster: [workload('StatefulSet', true, true)],
    }),
    [1, 2],
  ),
  noMetricType(
    it('should validate the so creation without cpu and memory when custom resources', {
      kind: 'ScaledObject',
      object: scaledObject({ cpuAndMemory: true, apiVersion: 'custom-api', kind: 'StatefulSet' }),
    }),
    [1, 2],
  ),
  noMetricType(
    it(
      'should validate so creation when all requirements are met for scaling to zero with cpu scaler',
      {
        kind: 'ScaledObject',
        object: stz(0, true),
        cluster: [workload('Deployment', true, false)],
      },
    ),
    [0],
  ),
  noMetricType(
    it('should validate so creation when min replicas is > 0 with only cpu scaler given', {
      kind: 'ScaledObject',
      object: stz(1, false),
      cluster: [workload('Deployment', true, false)],
    }),
    [0],
  ),
  noMetricType(
    it(
      'should not validate ScaledObject creation when deployment only provides cpu resource limits',
      {
        kind: 'ScaledObject',
        object: scaledObject({ spec: { triggers: [{ type: 'cpu', metadata: { value: '10' } }] } }),
        cluster: [workload('Deployment', false, false, { cpu: '100m' })],
      },
    ),
    [0],
  ),
  noMetricType(
    it(
      'should not validate ScaledObject creation when deployment only provides memory resource limits',
      {
        kind: 'ScaledObject',
        object: scaledObject({
          spec: { triggers: [{ type: 'memory', metadata: { value: '512Mi' } }] },
        }),
        cluster: [workload('Deployment', false, false, { memory: '1024m' })],
      },
    ),
    [0],
  ),
  it("should validate the so update if it's removing the finalizer even if it's invalid", {
    kind: 'ScaledObject',
    operation: 'UPDATE',
    object: scaledObject({ cpuAndMemory: true }),
    oldObject: {
      ...scaledObject({ cpuAndMemory: true }),
      metadata: { ...(scaledObject({}).metadata as Doc), finalizers: ['finalizer'] },
    },
    // The Deployment's requests were removed before the update.
    cluster: [workload('Deployment', false, false)],
  }),
  it(
    'should validate the so creation when the name is at the label value limit and a custom HPA name is set',
    { kind: 'ScaledObject', object: scaledObject({ name: 'a'.repeat(63), hpaName: 'short-hpa' }) },
  ),
  it(
    'should validate the so creation when no custom HPA name is set and the generated HPA name fits within the label value limit',
    { kind: 'ScaledObject', object: scaledObject({ name: 'a'.repeat(54) }) },
  ),
  it('should validate the so creation with ScalingModifiers.Formula', {
    kind: 'ScaledObject',
    object: modifiers({ target: '2', formula: 'workload_trig + cron_trig' }, [
      CRON_NAMED('cron_trig'),
      WORKLOAD_TRIGGER('workload_trig'),
    ]),
    cluster: [workload('Deployment', false, false)],
  }),
  it(
    'should validate the so creation with ScalingModifiers when formula triggers do have names but not all triggers',
    {
      kind: 'ScaledObject',
      object: modifiers({ target: '2', formula: 'workload_trig + 1' }, [
        CRON,
        WORKLOAD_TRIGGER('workload_trig'),
      ]),
      cluster: [workload('Deployment', false, false)],
    },
  ),
  ...(
    [
      [
        'should validate the so creation with ScalingModifiers when formula casts to float already',
        'float(workload_trig + 1)',
        [WORKLOAD_TRIGGER('workload_trig')],
      ],
      [
        'should validate the so creation with ScalingModifiers.Formula - casting float from ternary operator',
        'float(workload_trig < 5 ? cron_trig + workload_trig : 5)',
        [CRON_NAMED('cron_trig'), WORKLOAD_TRIGGER('workload_trig')],
      ],
      [
        'should validate the so creation with ScalingModifiers.Formula - ternary operator without casting float',
        'workload_trig < 5 ? cron_trig + workload_trig : 5',
        [CRON_NAMED('cron_trig'), WORKLOAD_TRIGGER('workload_trig')],
      ],
      [
        'should validate the so creation with ScalingModifiers.Formula - count operator',
        'count([trig_one,trig_two],{#>1}) > 1 ? 5 : 0',
        [CRON_NAMED('trig_one'), WORKLOAD_TRIGGER('trig_two')],
      ],
      [
        'should validate the so creation with ScalingModifiers.Formula - complex ternary',
        'float(trig_one < 2 ? trig_one+trig_two >= 2 ? 5 : 10 : 0)',
        [CRON_NAMED('trig_one'), WORKLOAD_TRIGGER('trig_two')],
      ],
      [
        'should validate the so creation with ScalingModifiers.Formula - double float cast',
        'float(float(trig_two < 5 ? trig_one + trig_two : 5))',
        [CRON_NAMED('trig_one'), WORKLOAD_TRIGGER('trig_two')],
      ],
    ] as [string, string, Doc[]][]
  ).map(([name, formula, triggers]) =>
    it(name, {
      kind: 'ScaledObject',
      object: modifiers({ target: '2', formula }, triggers),
      cluster: [workload('Deployment', false, false)],
    }),
  ),
  it('should validate the so creation with scalingModifiers fallback behavior', {
    kind: 'ScaledObject',
    object: modifiers(
      { target: '2', formula: 'trig_one ?? trig_two ?? 5' },
      [CRON_NAMED('trig_one'), WORKLOAD_TRIGGER('trig_two')],
      { fallback: { failureThreshold: 3, replicas: 5, behavior: 'scalingModifiers' } },
    ),
    cluster: [workload('Deployment', false, false)],
  }),
];

/** The warning tests: ValidateCreate on createScaledObject with a spec patch. */
const POLL = 'PollingInterval is configured but is not relevant';
const COOL = 'CooldownPeriod is configured but is not relevant';
const warningCase = (
  name: string,
  spec: Doc,
  keda: Omit<ReviewOutcome, 'verdict'>,
): Case<Review, ReviewOutcome> =>
  it(
    name,
    {
      kind: 'ScaledObject',
      object: scaledObject({ spec }),
      cluster: [workload('Deployment', true, true)],
    },
    { verdict: 'admitted', ...keda },
  );
const noIdle = { idleReplicaCount: undefined };
const warningCases: Case<Review, ReviewOutcome>[] = [
  warningCase(
    'should emit warning when PollingInterval is set with minReplicaCount > 0 and idleReplicaCount not set',
    { minReplicaCount: 1, ...noIdle, pollingInterval: 30 },
    { warns: { [POLL]: true } },
  ),
  warningCase(
    'should NOT emit warning when PollingInterval is set with minReplicaCount > 0 and idleReplicaCount > 0',
    { minReplicaCount: 2, idleReplicaCount: 1, pollingInterval: 30 },
    { warns: { [POLL]: false } },
  ),
  warningCase(
    'should NOT emit warning when PollingInterval is set with idleReplicaCount = 0',
    { minReplicaCount: 2, idleReplicaCount: 0, pollingInterval: 30 },
    { warns: { [POLL]: false } },
  ),
  warningCase(
    'should NOT emit warning when PollingInterval is set with useCachedMetrics enabled',
    {
      minReplicaCount: 2,
      idleReplicaCount: 1,
      pollingInterval: 30,
      triggers: [{ ...WORKLOAD_TRIGGER('workload_trig_1', 'Value'), useCachedMetrics: true }],
    },
    { warns: { [POLL]: false } },
  ),
  warningCase(
    'should NOT emit warning when PollingInterval is not set',
    { minReplicaCount: 2, idleReplicaCount: 1 },
    { warns: { [POLL]: false } },
  ),
  warningCase(
    'should emit warning when CooldownPeriod is set with minReplicaCount > 0 and idleReplicaCount not set',
    { minReplicaCount: 1, ...noIdle, cooldownPeriod: 300 },
    { warns: { [COOL]: true } },
  ),
  warningCase(
    'should NOT emit warning when CooldownPeriod is set with minReplicaCount > 0 and idleReplicaCount > 0',
    { minReplicaCount: 2, idleReplicaCount: 1, cooldownPeriod: 300 },
    { warns: { [COOL]: false } },
  ),
  warningCase(
    'should NOT emit warning when CooldownPeriod is set with idleReplicaCount = 0',
    { minReplicaCount: 2, idleReplicaCount: 0, cooldownPeriod: 300 },
    { warns: { [COOL]: false } },
  ),
  warningCase(
    'should NOT emit warning when CooldownPeriod is not set',
    { minReplicaCount: 2, idleReplicaCount: 1 },
    { warns: { [COOL]: false } },
  ),
  warningCase(
    'should emit both warnings when both PollingInterval and CooldownPeriod are misconfigured',
    { minReplicaCount: 2, ...noIdle, pollingInterval: 30, cooldownPeriod: 300 },
    { warns: { [POLL]: true, [COOL]: true } },
  ),
  warningCase(
    'should emit no warnings when both are properly configured with idleReplicaCount = 0',
    { minReplicaCount: 2, idleReplicaCount: 0, pollingInterval: 30, cooldownPeriod: 300 },
    { warnings: 0 },
  ),
];

// TriggerAuthentication ------------------------------------------------------------------------

function auth(kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication', spec: Doc): Review {
  return {
    kind,
    object: {
      apiVersion: 'keda.sh/v1alpha1',
      kind,
      metadata: { name: 'ta', ...(kind === 'TriggerAuthentication' ? { namespace: NS } : {}) },
      spec,
    },
  };
}
const pod = (provider: string, fields: Doc) => ({ podIdentity: { provider, ...fields } });
const taCases: Case<Review, ReviewOutcome>[] = (
  [
    [
      'validate triggerauthentication when IdentityTenantID is not nil and not empty',
      'TriggerAuthentication',
      pod('azure-workload', { identityId: '12345', identityTenantId: '12345' }),
    ],
    [
      'validate triggerauthentication when IdentityAuthorityHost is not nil and not empty and IdentityTenantID is not nil and not empty',
      'TriggerAuthentication',
      pod('azure-workload', {
        identityId: '12345',
        identityTenantId: '12345',
        identityAuthorityHost: '12345',
      }),
    ],
    [
      'validate triggerauthentication when RoleArn is not empty and IdentityOwner is nil',
      'TriggerAuthentication',
      pod('aws', { roleArn: 'Hello' }),
    ],
    [
      'validate triggerauthentication when RoleArn is not empty and IdentityOwner is keda',
      'TriggerAuthentication',
      pod('aws', { roleArn: 'Hello', identityOwner: 'keda' }),
    ],
    [
      'validate triggerauthentication when RoleArn is empty and IdentityOwner is keda',
      'TriggerAuthentication',
      pod('aws', { identityOwner: 'keda' }),
    ],
    [
      'validate triggerauthentication when RoleArn is not empty and IdentityOwner is workload (line 162: no roleArn)',
      'TriggerAuthentication',
      pod('aws', { identityOwner: 'workload' }),
    ],
    [
      'validate clustertriggerauthentication when RoleArn is not empty and IdentityOwner is nil',
      'ClusterTriggerAuthentication',
      pod('aws', { roleArn: 'Hello' }),
    ],
    [
      'validate clustertriggerauthentication when RoleArn is not empty and IdentityOwner is keda',
      'ClusterTriggerAuthentication',
      pod('aws', { roleArn: 'Hello', identityOwner: 'keda' }),
    ],
    [
      'validate clustertriggerauthentication when RoleArn is empty and IdentityOwner is keda',
      'ClusterTriggerAuthentication',
      pod('aws', { identityOwner: 'keda' }),
    ],
    [
      'validate clustertriggerauthentication when RoleArn is not empty and IdentityOwner is workload (line 234: a TriggerAuthentication, no roleArn)',
      'TriggerAuthentication',
      pod('aws', { identityOwner: 'workload' }),
    ],
    [
      'validate triggerauthentication when ExternalID is set and RoleArn is set',
      'TriggerAuthentication',
      pod('aws', {
        roleArn: 'arn:aws:iam::123456789012:role/MyRole',
        externalId: 'my-external-id',
      }),
    ],
    [
      'validate clustertriggerauthentication when FilePath is set',
      'ClusterTriggerAuthentication',
      { filePath: '/mnt/auth/creds.json' },
    ],
  ] as [string, 'TriggerAuthentication' | 'ClusterTriggerAuthentication', Doc][]
).map(([name, kind, spec]) => it(name, auth(kind, spec)));

export const admissionTables = [
  table({
    name: 'admission: TestCheckFallbackValid',
    goFile: TYPES,
    cases: fallbackCases,
    run: (spec: Doc) => verdict(validateErrors([soDoc(spec)], 'spec.fallback')),
  }),
  table({
    name: 'admission: TestCheckReplicaCountBoundsAreValid',
    goFile: TYPES,
    cases: boundsCases,
    run: (spec: Doc) =>
      verdict(
        validateErrors([soDoc(spec)], 'spec.').filter((e) =>
          /^spec\.(minReplicaCount|maxReplicaCount|idleReplicaCount)/.test(e),
        ),
      ),
  }),
  table({
    name: 'admission: TestValidateTriggers',
    goFile: 'apis/keda/v1alpha1/scaletriggers_types_test.go',
    cases: triggerCases,
    run: runTriggers,
  }),
  table({
    name: 'admission: TestHasPausedAnnotation',
    goFile: TYPES,
    cases: hasPausedCases,
    run: runHasPaused,
  }),
  table({
    name: 'admission: TestNeedToBePausedByAnnotation',
    goFile: TYPES,
    cases: needPausedCases,
    run: runPaused,
  }),
  table({
    name: 'admission: TestGetPausedReplicaCount',
    goFile: TYPES,
    cases: pausedCountCases,
    run: runPausedCount,
  }),
  table({
    name: 'admission: TestIsUsingModifiers',
    goFile: TYPES,
    cases: modifiersCases,
    run: (advanced: Doc | undefined) =>
      usesScalingModifiers(asSo(advanced ? { advanced } : {}) as ScaledObject),
  }),
  table({
    name: 'admission: TestGetHPAReplicas',
    goFile: TYPES,
    cases: hpaReplicaCases,
    run: (spec: Doc) => {
      const so = asSo(spec) as ScaledObject;
      return { min: hpaMinReplicas(so), max: hpaMaxReplicas(so) };
    },
  }),
  table({
    name: 'admission: ScaledObject webhook, admitted envtests',
    goFile: WEBHOOK,
    cases: webhookCases,
    run: runReview,
  }),
  table({
    name: 'admission: ScaledObject webhook warnings (ValidateCreate)',
    goFile: WEBHOOK,
    cases: warningCases,
    run: runReview,
  }),
  table({
    name: 'admission: TriggerAuthentication webhook, admitted envtests',
    goFile: 'apis/keda/v1alpha1/triggerauthentication_webhook_test.go',
    cases: taCases,
    run: runReview,
  }),
];

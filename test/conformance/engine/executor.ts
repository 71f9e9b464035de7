/**
 * The ScaledObject executor, from KEDA `pkg/scaling/executor/scale_scaledobjects_test.go`,
 * `scale_executor_helpers_test.go` (TestGetIdleOrMinimumReplicaCount) and
 * `triggers_activity_test.go`, run through tide's `decideScaledObject`.
 *
 * KEDA's RequestScale receives `isActive` and `isError` from its caller; tide derives them from
 * the triggers' readings, so each case states them as readings: an active trigger whose value
 * keeps the HPA part where the executor left the replicas, an inactive one at 0, and a failing
 * second trigger for `isError`. The replicas compared are the executor's (KEDA's /scale write).
 */
import { decideScaledObject, scaleInReplicas } from '../../../src/engine/scaled-object.js';
import type { ScaledObject, ScaledObjectSpec } from '../../../src/manifests/types.js';
import type { MetricSpec, TriggerReading } from '../../../src/engine/types.js';
import { table, type Case } from '../harness.js';

const go = 'pkg/scaling/executor/scale_scaledobjects_test.go';
const T = Date.parse('2026-01-01T12:00:00Z');
const TARGET = 10;

interface ExecutorInput {
  spec: Partial<ScaledObjectSpec>;
  annotations?: Record<string, string>;
  currentReplicas: number;
  isActive: boolean;
  isError: boolean;
}
interface ExecutorOutcome {
  replicas?: number;
  active?: { status: string; reason?: string; message?: string };
  ready?: { status: string; reason?: string };
  paused?: { status: string };
  lastActiveTimeSet?: boolean;
  conditions?: string[];
  event?: string;
}

const spec0: MetricSpec = { name: 's0-redis-q', targetType: 'AverageValue', target: TARGET };
const spec1: MetricSpec = { name: 's1-redis-r', targetType: 'AverageValue', target: TARGET };

function so(i: ExecutorInput): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: 'name',
      namespace: 'namespace',
      labels: {},
      annotations: i.annotations ?? {},
    },
    source: { file: 'conformance.yaml' },
    spec: {
      scaleTargetRef: { name: 'name' },
      triggers: [
        { type: 'redis', metadata: {} },
        ...(i.isError ? [{ type: 'redis', metadata: {} }] : []),
      ],
      ...i.spec,
    },
  };
}

function run(i: ExecutorInput): ExecutorOutcome {
  const min = i.spec.minReplicaCount ?? 0;
  // Active: one replica's worth per replica the executor leaves (so the HPA part keeps them).
  const after =
    i.currentReplicas === 0 || (i.spec.idleReplicaCount !== undefined && i.currentReplicas < min)
      ? Math.max(min, 1)
      : i.currentReplicas;
  const value = i.isActive ? TARGET * after : 0;
  const readings: TriggerReading[] = [
    { ok: true, metrics: [{ name: spec0.name, value }], isActive: i.isActive },
    ...(i.isError ? [{ ok: false as const, error: 'some error' }] : []),
  ];
  const d = decideScaledObject({
    so: so(i),
    specs: i.isError ? [[spec0], [spec1]] : [[spec0]],
    readings,
    currentReplicas: i.currentReplicas,
    now: T,
    createdAt: T - 3600_000,
  });
  return {
    replicas: d.desiredReplicas,
    active: {
      status: d.conditions.active.status,
      reason: d.conditions.active.reason,
      message: d.conditions.active.message,
    },
    ready: { status: d.conditions.ready.status, reason: d.conditions.ready.reason },
    paused: { status: d.conditions.paused.status },
    lastActiveTimeSet: d.state.lastActiveTime === T,
    conditions: Object.keys(d.conditions).sort(),
    event: d.events.map((e) => e.message).join('\n'),
  };
}

const ACTIVE = 'Scaling is performed because triggers are active';
const cases: Case<ExecutorInput, ExecutorOutcome>[] = [
  {
    go: 'TestScaleToMinReplicasWhenNotActive',
    input: { spec: { minReplicaCount: 0 }, currentReplicas: 10, isActive: false, isError: false },
    keda: { replicas: 0, active: { status: 'False' } },
  },
  {
    go: 'TestScaleToMinReplicasFromLowerInitialReplicaCount',
    input: { spec: { minReplicaCount: 5 }, currentReplicas: 1, isActive: false, isError: false },
    keda: { replicas: 5, active: { status: 'False' } },
  },
  {
    go: 'TestScaleFromMinReplicasWhenActive',
    input: { spec: { minReplicaCount: 0 }, currentReplicas: 0, isActive: true, isError: false },
    keda: {
      replicas: 1,
      active: { status: 'True', reason: 'ScalerActive', message: ACTIVE },
      lastActiveTimeSet: true,
    },
  },
  {
    go: 'TestScaleToIdleReplicasWhenNotActive',
    input: {
      spec: { idleReplicaCount: 0, minReplicaCount: 5 },
      currentReplicas: 10,
      isActive: false,
      isError: false,
    },
    keda: { replicas: 0, active: { status: 'False' } },
  },
  {
    go: 'TestScaleFromIdleToMinReplicasWhenActive',
    input: {
      spec: { idleReplicaCount: 0, minReplicaCount: 5 },
      currentReplicas: 0,
      isActive: true,
      isError: false,
    },
    keda: {
      replicas: 5,
      active: { status: 'True', reason: 'ScalerActive', message: ACTIVE },
      lastActiveTimeSet: true,
    },
  },
  {
    go: 'TestScaleToPausedReplicasCount',
    input: {
      spec: {},
      annotations: { 'autoscaling.keda.sh/paused-replicas': '0' },
      currentReplicas: 2,
      isActive: true,
      isError: false,
    },
    // The executor only sets Paused (the controller scales to paused-replicas); Active untouched.
    keda: { paused: { status: 'True' }, active: { status: 'Unknown' } },
  },
  {
    go: 'TestEventWitTriggerInfo',
    input: {
      spec: { idleReplicaCount: 0, minReplicaCount: 5 },
      currentReplicas: 2,
      isActive: true,
      isError: false,
    },
    keda: {
      replicas: 5,
      event: 'Scaled Deployment namespace/name from 2 to 5, triggered by s0-redis-q',
    },
  },
  {
    go: 'TestNoScaleToMinReplicasWhenNotActiveAndPauseScaleInAnnotationSet',
    input: {
      spec: { minReplicaCount: 0 },
      annotations: { 'autoscaling.keda.sh/paused-scale-in': 'true' },
      currentReplicas: 10,
      isActive: false,
      isError: false,
    },
    keda: { replicas: 10, active: { status: 'False' } },
  },
  {
    go: 'TestNoScaleToIdleReplicasWhenNotActiveAndPauseScaleInAnnotationSet',
    input: {
      spec: { idleReplicaCount: 0, minReplicaCount: 5 },
      annotations: { 'autoscaling.keda.sh/paused-scale-in': 'true' },
      currentReplicas: 10,
      isActive: false,
      isError: false,
    },
    keda: { replicas: 10, active: { status: 'False' } },
  },
  {
    go: 'TestScaleFromMinReplicasWhenActivationForced',
    input: {
      spec: { minReplicaCount: 0 },
      annotations: { 'autoscaling.keda.sh/force-activation': 'true' },
      currentReplicas: 0,
      isActive: false,
      isError: false,
    },
    keda: {
      replicas: 1,
      active: {
        status: 'True',
        reason: 'ScalerActive',
        message: 'Scaling is performed because activation is being forced by annotation',
      },
      lastActiveTimeSet: true,
    },
  },
  {
    go: 'TestNoScaleFromMinReplicasWhenActiveAndPausedScaleOutAnnotationSet',
    input: {
      spec: { minReplicaCount: 0 },
      annotations: { 'autoscaling.keda.sh/paused-scale-out': 'true' },
      currentReplicas: 0,
      isActive: true,
      isError: false,
    },
    keda: { replicas: 0, active: { status: 'True' } },
  },
  {
    go: 'TestNoScaleFromIdleReplicasToMinReplicasWhenActiveAndPausedScaleOutAnnotationSet',
    input: {
      spec: { idleReplicaCount: 0, minReplicaCount: 5, maxReplicaCount: 10 },
      annotations: { 'autoscaling.keda.sh/paused-scale-out': 'true' },
      currentReplicas: 0,
      isActive: true,
      isError: false,
    },
    keda: { replicas: 0, active: { status: 'True' } },
  },
  // newSOWithHPA: minReplicaCount 1, the target at 1 replica.
  {
    go: 'TestRequestScale_AllHealthy_HPAHealthy',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: true, isError: false },
    keda: { ready: { status: 'True', reason: 'ScaledObjectReady' } },
  },
  {
    go: 'TestRequestScale_ScalerError_HPAHealthy',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: false, isError: true },
    keda: { ready: { status: 'False', reason: 'TriggerError' } },
  },
  {
    go: 'TestRequestScale_PartialError_HPAHealthy',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: true, isError: true },
    keda: { ready: { status: 'Unknown', reason: 'PartialTriggerError' } },
  },
  {
    go: 'TestRequestScale_NoError_HPAUnhealthy (Ready)',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: true, isError: false },
    keda: { ready: { status: 'True', reason: 'ScaledObjectReady' } },
  },
  {
    go: 'TestRequestScale_ScalerError_HPAUnhealthy (Ready)',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: false, isError: true },
    keda: { ready: { status: 'False', reason: 'TriggerError' } },
  },
  {
    go: 'TestRequestScale_TransientHPAGap_ReadyStaysTrue (Ready)',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: true, isError: false },
    keda: { ready: { status: 'True' } },
  },
  {
    go: 'TestRequestScale_HPAActive_NotInSharedDefaults',
    input: { spec: { minReplicaCount: 1 }, currentReplicas: 1, isActive: true, isError: false },
    keda: { conditions: ['active', 'fallback', 'paused', 'ready'] },
  },
  {
    // A fallback not yet past its threshold: the trigger is still an error (isError) this round.
    go: 'TestRequestScale_ScalerErrorWithFallback_HPAHealthy',
    input: {
      spec: { minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 5 } },
      currentReplicas: 1,
      isActive: false,
      isError: true,
    },
    keda: { ready: { status: 'True' } },
  },
];

/** KEDA mirrors its HPA's ScalingActive condition into HPAActive; tide has no HPA. */
const hpaCases: Case<null, string>[] = [
  'TestGetHPAHealth_NoHPAName',
  'TestGetHPAHealth_HPAReadError',
  'TestGetHPAHealth_ScalingActiveTrue',
  'TestGetHPAHealth_ScalingActiveFalse',
  'TestGetHPAHealth_ScalingDisabled',
  'TestGetHPAHealth_NoGracePeriod',
  'TestGetHPAHealth_EmptyReasonFallback',
  'TestGetHPAHealth_NoScalingActiveConditionYet',
  'TestRequestScale_NoError_HPAUnhealthy (HPAActive)',
  'TestRequestScale_ScalerError_HPAUnhealthy (HPAActive)',
  'TestRequestScale_TransientHPAGap_ReadyStaysTrue (HPAActive)',
  'TestRequestScale_HPAHealthy_HPAActiveTrue',
  'TestRequestScale_HPAScalingDisabled_HPAActiveTrueWithDistinctReason',
  'TestCheckHPAHealth_CannotObserve_HPAActiveUnchanged',
].map((go) => ({
  go,
  input: null,
  keda: "an HPAActive condition mirroring the HPA's ScalingActive",
  differs: { id: 'no-hpa', tide: 'no HPAActive condition: tide computes replicas itself' },
}));

/** TestGetIdleOrMinimumReplicaCount: what a scale-in goes to (idle when set, else min, else 0). */
const idleCases: Case<Partial<ScaledObjectSpec>, number>[] = [
  ['nil IdleReplicaCount and nil MinReplicaCount returns false and 0', {}, 0],
  ['IdleReplicaCount set returns true with its value', { idleReplicaCount: 0 }, 0],
  ['IdleReplicaCount non-zero returns true with its value', { idleReplicaCount: 3 }, 3],
  [
    'MinReplicaCount set with nil IdleReplicaCount returns false with its value',
    { minReplicaCount: 2 },
    2,
  ],
].map(([name, spec, want]) => ({
  go: `TestGetIdleOrMinimumReplicaCount "${name as string}"`,
  input: spec as Partial<ScaledObjectSpec>,
  keda: want as number,
}));
/** KEDA writes `status.triggersActivity`; tide reports activity per trigger in its own status. */
const activityCases: Case<null, string>[] = [
  'TestGetTriggersActivity "All triggers inactive"',
  'TestGetTriggersActivity "One trigger active"',
  'TestGetTriggersActivity "Multiple triggers active"',
  'TestGetTriggersActivity "All triggers active"',
  'TestGetTriggersActivity "Zero-value options returns all inactive"',
  'TestGetTriggersActivityPushScaler "Push scaler only updates its own trigger"',
  'TestGetTriggersActivityPushScaler "Push scaler deactivates its trigger"',
  'TestGetTriggersActivityTriggerListChanges "New trigger added"',
  'TestGetTriggersActivityTriggerListChanges "Trigger removed"',
  'TestGetTriggersActivityTriggerListChanges "Trigger replaced"',
  'TestGetTriggersActivityTriggerListChanges "Empty metric names returns empty map"',
  'TestGetTriggersActivityScaledJob "ScaledJob triggers activity"',
].map((go) => ({
  go,
  input: null,
  keda: 'status.triggersActivity per metric name',
  differs: {
    id: 'triggers-activity-status',
    tide: 'per-trigger activity in tide status, the dashboard and the decision log',
  },
}));

export const executorTables = [
  table({ name: 'executor: RequestScale', goFile: go, cases, run }),
  table({
    name: 'executor: HPA health (HPAActive)',
    goFile: go,
    cases: hpaCases,
    run: () => 'no HPAActive condition: tide computes replicas itself',
  }),
  table({
    name: 'executor: TestGetIdleOrMinimumReplicaCount',
    goFile: 'pkg/scaling/executor/scale_executor_helpers_test.go',
    cases: idleCases,
    run: scaleInReplicas,
  }),
  table({
    name: 'executor: triggers activity',
    goFile: 'pkg/scaling/executor/triggers_activity_test.go',
    cases: activityCases,
    run: () => 'per-trigger activity in tide status, the dashboard and the decision log',
  }),
];

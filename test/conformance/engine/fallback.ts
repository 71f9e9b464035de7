/**
 * Fallback, from KEDA `pkg/fallback/fallback_test.go` (the `fallback` Describe block and
 * TestUpdateStatusConcurrency), run through tide's `decideScaledObject`: the metric the HPA
 * part gets (the fallback value, the scaler's value, or an error), the health after the round
 * and the Fallback condition.
 */
import { decideScaledObject } from '../../../src/engine/scaled-object.js';
import {
  EMPTY_HPA_STATE,
  type MetricHealth,
  type MetricSpec,
  type TriggerReading,
} from '../../../src/engine/types.js';
import type { Fallback, ScaledObject } from '../../../src/manifests/types.js';
import { table, type Case } from '../harness.js';

const go = 'pkg/fallback/fallback_test.go';
const METRIC = 'some_metric_name';
const T = Date.parse('2026-01-01T12:00:00Z');

interface FallbackInput {
  fallback?: Fallback;
  health?: Record<string, MetricHealth>;
  /** The scaler's value, or an error. */
  reading: number | 'error';
  /** `createMetricSpec(averageValue)`. */
  target: number;
  /** The target's replicas (`mockScaleAndDeployment`). */
  currentReplicas?: number;
  /** Metrics of one trigger (TestUpdateStatusConcurrency reads twenty). */
  metrics?: number;
}
interface FallbackOutcome {
  value?: number;
  error?: boolean;
  health?: MetricHealth;
  fallbackCondition?: 'True' | 'not True';
}

function so(fallback?: Fallback): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'clean-up-test', namespace: 'default', labels: {}, annotations: {} },
    source: { file: 'conformance.yaml' },
    spec: {
      scaleTargetRef: { name: 'myapp' },
      triggers: [{ type: 'cron', metadata: {} }],
      ...(fallback ? { fallback } : {}),
    },
  };
}

function run(i: FallbackInput): FallbackOutcome {
  const names = i.metrics ? Array.from({ length: i.metrics }, (_, k) => `metric_${k}`) : [METRIC];
  const specs: MetricSpec[] = names.map((name) => ({
    name,
    targetType: 'AverageValue',
    target: i.target,
  }));
  const reading: TriggerReading =
    i.reading === 'error'
      ? { ok: false, error: 'some error' }
      : {
          ok: true,
          metrics: specs.map((s) => ({ name: s.name, value: i.reading as number })),
          isActive: true,
        };
  const cur = i.currentReplicas ?? 5;
  const d = decideScaledObject({
    so: so(i.fallback),
    specs: [specs],
    readings: [reading],
    currentReplicas: cur,
    readyReplicas: cur,
    now: T,
    state: { health: i.health ?? {}, hpa: EMPTY_HPA_STATE },
  });
  const m = d.hpaMetrics.find((x) => x.name === METRIC) ?? d.hpaMetrics[0];
  const h = d.state.health[METRIC];
  return {
    ...(m && 'value' in m && m.value !== undefined ? { value: m.value } : {}),
    error: m?.error !== undefined,
    ...(h ? { health: h } : {}),
    fallbackCondition: d.conditions.fallback.status === 'True' ? 'True' : 'not True',
  };
}

const failing = (n: number): MetricHealth => ({ numberOfFailures: n, status: 'Failing' });
const happy = (n: number): MetricHealth => ({ numberOfFailures: n, status: 'Happy' });
const fb = (
  failureThreshold: number,
  replicas: number,
  behavior?: Fallback['behavior'],
): Fallback => ({
  failureThreshold,
  replicas,
  ...(behavior ? { behavior } : {}),
});

const cases: Case<FallbackInput, FallbackOutcome>[] = [
  {
    go: 'TestFallback "should return the expected metric when fallback is disabled"',
    input: { reading: 5, target: 3 },
    keda: { value: 5, error: false },
  },
  {
    go: 'TestFallback "should initialise the health status on success when fallback is enabled and status is empty"',
    input: { fallback: fb(3, 10), reading: 6, target: 3 },
    keda: { value: 6, error: false, health: happy(0) },
  },
  {
    go: 'TestFallback "should reset the health status when scaler metrics are available when fallback is enabled"',
    input: { fallback: fb(3, 10), health: { [METRIC]: failing(5) }, reading: 6, target: 3 },
    keda: { value: 6, error: false, health: happy(0) },
  },
  {
    go: 'TestFallback "should not reset the health status when fallback is not enabled"',
    input: { health: { [METRIC]: failing(5) }, reading: 6, target: 3 },
    keda: { value: 6, error: false, health: failing(5) },
  },
  {
    go: 'TestFallback "should propagate the error when fallback is disabled"',
    input: { reading: 'error', target: 3 },
    keda: { error: true },
  },
  {
    go: 'TestFallback "should bump the number of failures when metrics call fails"',
    input: { fallback: fb(3, 10), health: { [METRIC]: happy(0) }, reading: 'error', target: 10 },
    keda: { error: true, health: failing(1) },
  },
  {
    go: 'TestFallback "should return a normalised metric when number of failures are beyond threshold"',
    input: { fallback: fb(3, 10), health: { [METRIC]: happy(3) }, reading: 'error', target: 10 },
    keda: { value: 100, error: false, health: failing(4) },
  },
  {
    go: 'TestFallback "should ignore error if we fail to update kubernetes status"',
    input: { fallback: fb(3, 10), health: { [METRIC]: happy(3) }, reading: 'error', target: 10 },
    keda: { value: 100, error: false, health: failing(4) },
  },
  {
    go: 'TestFallback "should return error when fallback is enabled but scaledobject has invalid parameter"',
    input: { fallback: fb(-3, 10), health: { [METRIC]: happy(3) }, reading: 'error', target: 10 },
    keda: { error: true },
  },
  {
    go: 'TestFallback "should set the fallback condition when a fallback exists in the scaled object"',
    input: {
      fallback: fb(3, 10),
      health: { 'another metric name': failing(6), [METRIC]: happy(3) },
      reading: 'error',
      target: 10,
    },
    keda: { error: false, fallbackCondition: 'True' },
  },
  {
    go: 'TestFallback "should set the fallback condition to false if the config is invalid"',
    input: {
      fallback: fb(-3, 10),
      health: { 'another metric name': failing(6), [METRIC]: happy(3) },
      reading: 'error',
      target: 10,
    },
    keda: { error: true, fallbackCondition: 'not True' },
  },
  {
    go: 'TestFallback "should use fallback replicas when current replicas is lower when behavior is \'currentReplicasIfHigher\'"',
    input: {
      fallback: fb(3, 10, 'currentReplicasIfHigher'),
      health: { [METRIC]: happy(3) },
      reading: 'error',
      target: 10,
      currentReplicas: 4,
    },
    keda: { value: 100, error: false },
  },
  {
    go: 'TestFallback "should use current replicas when behavior is \'currentReplicas\'"',
    input: {
      fallback: fb(3, 10, 'currentReplicas'),
      health: { [METRIC]: happy(3) },
      reading: 'error',
      target: 10,
      currentReplicas: 6,
    },
    keda: { value: 60, error: false },
  },
  {
    go: 'TestFallback "should ignore current replicas when behavior is \'static\'"',
    input: {
      fallback: fb(3, 10, 'static'),
      health: { [METRIC]: happy(3) },
      reading: 'error',
      target: 10,
      currentReplicas: 15,
    },
    keda: { value: 100, error: false },
  },
  {
    // KEDA checks for a concurrent map write panic; tide's decision is one pure function.
    go: 'TestUpdateStatusConcurrency (twenty failing metrics of one object)',
    input: { fallback: fb(3, 10), reading: 'error', target: 3, metrics: 20 },
    keda: { error: true },
  },
];

export const fallbackTables = [
  table({ name: 'fallback: GetMetricsWithFallback', goFile: go, cases, run }),
];

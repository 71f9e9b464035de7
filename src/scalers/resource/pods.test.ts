/**
 * Cases from Kubernetes' replica_calculator_test.go (v1.35, TestReplicaCalc*), each named
 * after its Go test: Pods with a 1-core request, CPU usage in millicores, the HPA's test
 * periods (cpu initialization 2 min, readiness delay 10 s). The expected replicas are the
 * Go test's, reached through this module and the engine's proposal together.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proposeReplicas } from '../../engine/hpa-metrics.js';
import { milliValue, resourcePods, type ResourcePodsInput } from './pods.js';
import type { PodMetricsView, PodView } from '../core/types.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;
const hot = NOW; // started now: inside the cpu initialization period
const cool = NOW - 3 * MIN;

interface Case {
  name: string;
  current: number;
  levels: number[];
  target: number;
  expected: number | RegExp;
  readiness?: ('True' | 'False')[];
  phase?: string[];
  deleted?: boolean[];
  start?: number[];
  requests?: (string | undefined)[];
  pods?: number;
}

function run(c: Case) {
  const n = c.pods ?? Math.max(c.levels.length, c.readiness?.length ?? 0, c.phase?.length ?? 0);
  const pods: PodView[] = Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    phase: c.phase?.[i] ?? 'Running',
    deleted: c.deleted?.[i] ?? false,
    // The Go fixture's zero start time: long ago.
    startTime: c.start?.[i] ?? 0,
    ready: { status: c.readiness?.[i] ?? 'True', lastTransitionTime: 0 },
    containers: [
      {
        name: 'c',
        ...(c.requests?.[i] === undefined && c.requests
          ? {}
          : { requests: { cpu: c.requests?.[i] ?? '1.0' } }),
      },
    ],
  }));
  const metrics: PodMetricsView[] = c.levels.map((m, i) => ({
    name: `p${i}`,
    timestamp: 0,
    windowMs: MIN,
    containers: [{ name: 'c', usage: { cpu: `${m}m` } }],
  }));
  const input: ResourcePodsInput = {
    resource: 'cpu',
    mode: 'Utilization',
    target: c.target,
    reading: { currentReplicas: c.current, pods, metrics, now: NOW },
    cpuInitializationPeriodMs: 2 * MIN,
    delayOfInitialReadinessStatusMs: 10_000,
  };
  const r = resourcePods(input);
  if (!r.ok) return r.error;
  return proposeReplicas(
    { name: 's0-cpu', targetType: 'Utilization', target: c.target, value: r.value, pods: r.pods },
    c.current,
    c.current,
    { up: 0.1, down: 0.1 },
  ).replicas;
}

const cases: Case[] = [
  { name: 'TestReplicaCalcScaleUp', current: 3, levels: [300, 500, 700], target: 30, expected: 5 },
  {
    name: 'TestReplicaCalcScaleUpUnreadyLessScale',
    current: 3,
    levels: [300, 500, 700],
    target: 30,
    readiness: ['False', 'True', 'True'],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpHotCpuLessScale',
    current: 3,
    levels: [300, 500, 700],
    target: 30,
    start: [hot, cool, cool],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpUnreadyNoScale',
    current: 3,
    levels: [400, 500, 700],
    target: 30,
    readiness: ['True', 'False', 'False'],
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleHotCpuNoScale',
    current: 3,
    levels: [400, 500, 700],
    target: 30,
    readiness: ['True', 'False', 'False'],
    start: [cool, hot, hot],
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresFailedPods',
    current: 2,
    levels: [500, 700],
    target: 30,
    readiness: ['True', 'True', 'False', 'False'],
    phase: ['Running', 'Running', 'Failed', 'Failed'],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresDeletionPods',
    current: 2,
    levels: [500, 700],
    target: 30,
    readiness: ['True', 'True', 'False', 'False'],
    deleted: [false, false, true, true],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleDown',
    current: 5,
    levels: [100, 300, 500, 250, 250],
    target: 50,
    expected: 3,
  },
  {
    name: 'TestReplicaCalcScaleDownExcludeUnreadyPods',
    current: 5,
    levels: [100, 300, 500, 250, 250],
    target: 50,
    readiness: ['True', 'True', 'True', 'False', 'False'],
    expected: 2,
  },
  {
    name: 'TestReplicaCalcScaleDownExcludeUnscheduledPods',
    current: 5,
    levels: [100],
    target: 50,
    readiness: ['True', 'False', 'False', 'False', 'False'],
    phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    expected: 1,
  },
  {
    name: 'TestReplicaCalcScaleDownIgnoreHotCpuPods',
    current: 5,
    levels: [100, 300, 500, 250, 250],
    target: 50,
    start: [cool, cool, cool, hot, hot],
    expected: 2,
  },
  {
    name: 'TestReplicaCalcScaleDownIgnoresFailedPods',
    current: 5,
    levels: [100, 300, 500, 250, 250],
    target: 50,
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    expected: 3,
  },
  {
    name: 'TestReplicaCalcTolerance',
    current: 3,
    levels: [1010, 1030, 1020],
    target: 100,
    requests: ['0.9', '1.0', '1.1'],
    expected: 3,
  },
  {
    name: 'TestReplicaCalcMissingMetrics',
    current: 4,
    levels: [400, 95],
    target: 100,
    pods: 4,
    expected: 3,
  },
  {
    name: 'TestReplicaCalcEmptyMetrics',
    current: 4,
    levels: [],
    target: 100,
    pods: 3,
    expected:
      /unable to get metrics for resource cpu: no metrics returned from resource metrics API/,
  },
  {
    name: 'TestReplicaCalcEmptyCPURequest',
    current: 1,
    levels: [200],
    target: 100,
    requests: [undefined],
    expected: /missing request for cpu in container c of Pod p0/,
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeEq',
    current: 2,
    levels: [1000],
    target: 100,
    pods: 2,
    expected: 2,
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeGt',
    current: 2,
    levels: [1900],
    target: 100,
    pods: 2,
    expected: 2,
  },
  {
    name: 'TestReplicaCalcMissingMetricsNoChangeLt',
    current: 2,
    levels: [600],
    target: 100,
    pods: 2,
    expected: 2,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyChange',
    current: 3,
    levels: [100, 450],
    target: 50,
    readiness: ['False', 'True', 'True'],
    pods: 3,
    expected: 3,
  },
  {
    name: 'TestReplicaCalcMissingMetricsHotCpuNoChange',
    current: 3,
    levels: [100, 450],
    target: 50,
    start: [hot, cool, cool],
    pods: 3,
    expected: 3,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyScaleUp',
    current: 3,
    levels: [100, 2000],
    target: 50,
    readiness: ['False', 'True', 'True'],
    pods: 3,
    expected: 4,
  },
  {
    name: 'TestReplicaCalcMissingMetricsHotCpuScaleUp',
    current: 3,
    levels: [100, 2000],
    target: 50,
    readiness: ['False', 'True', 'True'],
    start: [hot, cool, cool],
    pods: 3,
    expected: 4,
  },
  {
    name: 'TestReplicaCalcMissingMetricsUnreadyScaleDown',
    current: 4,
    levels: [100, 100, 100],
    target: 50,
    readiness: ['False', 'True', 'True', 'True'],
    pods: 4,
    expected: 3,
  },
];

for (const c of cases)
  test(`HPA resource replicas: ${c.name}`, () => {
    const got = run(c);
    if (c.expected instanceof RegExp) assert.match(String(got), c.expected);
    else assert.equal(got, c.expected);
  });

test('no Pods behind the selector is the HPA’s error, not a guess', () => {
  const r = resourcePods({
    resource: 'cpu',
    mode: 'Utilization',
    target: 50,
    reading: {
      currentReplicas: 1,
      pods: [],
      metrics: [
        {
          name: 'x',
          timestamp: 0,
          windowMs: MIN,
          containers: [{ name: 'c', usage: { cpu: '1' } }],
        },
      ],
      now: NOW,
    },
  });
  assert.deepEqual(r, {
    ok: false,
    error:
      'failed to get cpu utilization: no pods returned by selector while calculating replica count',
  });
});

test('AverageValue: per-Pod usage against a quantity, no request needed; containerName picks one container', () => {
  const pods: PodView[] = ['a', 'b'].map((name) => ({
    name,
    phase: 'Running',
    deleted: false,
    startTime: 0,
    ready: { status: 'True', lastTransitionTime: 0 },
    containers: [{ name: 'app' }, { name: 'sidecar' }],
  }));
  const metrics: PodMetricsView[] = [
    {
      name: 'a',
      timestamp: 0,
      windowMs: MIN,
      containers: [
        { name: 'app', usage: { memory: '300Mi' } },
        { name: 'sidecar', usage: { memory: '1Gi' } },
      ],
    },
    {
      name: 'b',
      timestamp: 0,
      windowMs: MIN,
      containers: [
        { name: 'app', usage: { memory: '100Mi' } },
        { name: 'sidecar', usage: { memory: '1Gi' } },
      ],
    },
  ];
  const r = resourcePods({
    resource: 'memory',
    mode: 'AverageValue',
    target: 100 * 2 ** 20,
    containerName: 'app',
    reading: { currentReplicas: 2, pods, metrics, now: NOW },
  });
  assert.ok(r.ok);
  assert.equal(r.value, 200 * 2 ** 20);
  assert.equal(r.pods, 2);
  const replicas = proposeReplicas(
    {
      name: 's0-memory',
      targetType: 'AverageValue',
      target: 100 * 2 ** 20,
      value: r.value,
      pods: r.pods,
    },
    2,
    2,
    { up: 0.1, down: 0.1 },
  ).replicas;
  assert.equal(replicas, 4);
});

test('quantities in milli-units round up as Kubernetes MilliValue', () => {
  assert.equal(milliValue('1.1'), 1100);
  assert.equal(milliValue('799988037n'), 800);
  assert.equal(milliValue('250m'), 250);
  assert.equal(milliValue('200Mi'), 200 * 2 ** 20 * 1000);
});

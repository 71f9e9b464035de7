import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaledJob, ScaledJobSpec } from '../manifests/types.js';
import { ANNOTATIONS } from './pause.js';
import { KEDA, TIDE } from './reasons.js';
import {
  decideScaledJob,
  effectiveMaxScale,
  targetAverageValue,
  type ScaledJobInput,
} from './scaled-job.js';
import type { MetricSpec, TriggerReading } from './types.js';

function makeSj(
  spec: Partial<ScaledJobSpec> = {},
  annotations: Record<string, string> = {},
  triggers = 1,
): ScaledJob {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'transcode', namespace: 'default', labels: {}, annotations },
    source: { file: 'test.yaml' },
    spec: {
      jobTargetRef: { template: { spec: { containers: [{ name: 'c' }] } } },
      triggers: Array.from({ length: triggers }, () => ({ type: 'mongodb', metadata: {} })),
      ...spec,
    },
  };
}
const spec = (i: number, target: number): MetricSpec[] => [
  { name: `s${i}-m`, targetType: 'AverageValue', target },
];
const reading = (i: number, queue: number, active = queue > 0): TriggerReading => ({
  ok: true,
  metrics: [{ name: `s${i}-m`, value: queue }],
  isActive: active,
});

function jobs(p: {
  spec?: Partial<ScaledJobSpec>;
  queue: number;
  target: number;
  running?: number;
  pending?: number;
  caps?: ScaledJobInput['caps'];
}): number {
  return decideScaledJob({
    sj: makeSj(p.spec),
    specs: [spec(0, p.target)],
    readings: [reading(0, p.queue)],
    runningJobs: p.running ?? 0,
    pendingJobs: p.pending ?? 0,
    now: 0,
    ...(p.caps ? { caps: p.caps } : {}),
  }).jobsToCreate;
}

test('minReplicaCount 150 without a max keeps 150 Jobs running, as KEDA (was capped at 100)', () => {
  // MinReplicaCount() clamps to max only when max is set; the queue is ignored below the minimum.
  assert.equal(jobs({ spec: { minReplicaCount: 150 }, queue: 0, target: 1 }), 150);
  assert.equal(jobs({ spec: { minReplicaCount: 150 }, queue: 0, target: 1, running: 40 }), 110);
  assert.equal(
    jobs({ spec: { minReplicaCount: 150, maxReplicaCount: 20 }, queue: 0, target: 1 }),
    20,
  );
});

// keda.md 2.3: the docs table, default strategy.
const docs: {
  name: string;
  queue: number;
  max: number;
  target: number;
  running: number;
  want: number;
}[] = [
  {
    name: 'queue 10, max 3, target 1, 0 running creates 3',
    queue: 10,
    max: 3,
    target: 1,
    running: 0,
    want: 3,
  },
  {
    name: 'queue 10, max 3, target 2, 0 running creates 3',
    queue: 10,
    max: 3,
    target: 2,
    running: 0,
    want: 3,
  },
  {
    name: 'queue 10, max 3, target 1, 1 running creates 2',
    queue: 10,
    max: 3,
    target: 1,
    running: 1,
    want: 2,
  },
  {
    name: 'queue 10, max 100, target 1, 0 running creates 10',
    queue: 10,
    max: 100,
    target: 1,
    running: 0,
    want: 10,
  },
  {
    name: 'queue 4, max 3, target 5, 0 running creates ceil(0.8) = 1',
    queue: 4,
    max: 3,
    target: 5,
    running: 0,
    want: 1,
  },
];
for (const c of docs) {
  test(`default strategy: ${c.name}`, () => {
    assert.equal(
      jobs({
        spec: { maxReplicaCount: c.max },
        queue: c.queue,
        target: c.target,
        running: c.running,
      }),
      c.want,
    );
  });
}

// keda.md 2.3: strategy arithmetic, GetEffectiveMaxScale(maxScale, running, pending, maxRC).
const strategies: {
  name: string;
  s: Parameters<typeof effectiveMaxScale>;
  want: [number, number];
}[] = [
  {
    name: 'custom: deduction 1, 50%: maxScale 3, running 2, maxRC 5 → 1',
    s: ['custom', 3, 2, 0, 5, 3, { deduction: 1, percentage: 0.5 }],
    want: [1, 3],
  },
  {
    name: 'custom: maxScale 10, running 0, maxRC 10 → 9',
    s: ['custom', 10, 0, 0, 10, 10, { deduction: 1, percentage: 0.5 }],
    want: [9, 10],
  },
  {
    name: 'custom truncates toward zero: running 3 × 0.5 = 1.5 → 1',
    s: ['custom', 10, 3, 0, 10, 10, { deduction: 0, percentage: 0.5 }],
    want: [9, 10],
  },
  {
    name: 'accurate: (3, running 4, pending 2, max 10) → 1',
    s: ['accurate', 3, 4, 2, 10, 3],
    want: [1, 3],
  },
  { name: 'accurate: (15, 15, 15, 20) → 0', s: ['accurate', 15, 15, 15, 20, 15], want: [0, 15] },
  {
    name: 'accurate: (20, 15, 10, 20) → 25 > 20 → 5',
    s: ['accurate', 20, 15, 10, 20, 20],
    want: [5, 20],
  },
  { name: 'eager: (4, 3, 0, 10) → 4', s: ['eager', 4, 3, 0, 10, 4], want: [4, 10] },
  { name: 'eager: (4, 7, 0, 10) → 3', s: ['eager', 4, 7, 0, 10, 4], want: [3, 10] },
  { name: 'eager: (4, 1, 6, 10) → 3', s: ['eager', 4, 1, 6, 10, 4], want: [3, 10] },
  { name: 'eager: (15, 0, 0, 10) → 10', s: ['eager', 15, 0, 0, 10, 15], want: [10, 10] },
  { name: 'default: maxScale − running', s: ['default', 5, 2, 1, 10, 5], want: [3, 5] },
];
for (const c of strategies) {
  test(`strategy ${c.name}`, () => {
    assert.deepEqual(effectiveMaxScale(...c.s), c.want);
  });
}

test('eager vs default vs accurate with 3 running and 3 new ready messages (keda.md 2.3)', () => {
  const base = { spec: { maxReplicaCount: 10 }, queue: 3, target: 1, running: 3 };
  assert.equal(jobs(base), 0);
  assert.equal(
    jobs({ ...base, spec: { maxReplicaCount: 10, scalingStrategy: { strategy: 'eager' } } }),
    3,
  );
  assert.equal(
    jobs({ ...base, spec: { maxReplicaCount: 10, scalingStrategy: { strategy: 'accurate' } } }),
    3,
  );
});

test('custom with an unparsable percentage falls back to default', () => {
  const spec: Partial<ScaledJobSpec> = {
    maxReplicaCount: 10,
    scalingStrategy: {
      strategy: 'custom',
      customScalingQueueLengthDeduction: 5,
      customScalingRunningJobPercentage: 'half',
    },
  };
  assert.equal(jobs({ spec, queue: 10, target: 1, running: 2 }), 8);
  assert.equal(
    jobs({
      spec: {
        ...spec,
        scalingStrategy: { ...spec.scalingStrategy, customScalingRunningJobPercentage: '0.5' },
      },
      queue: 10,
      target: 1,
      running: 2,
    }),
    4,
  );
});

test('seed 2: five waiting documents with queryValue 1 and max 5 create 5 jobs, then none while they run', () => {
  const spec = { maxReplicaCount: 5, pollingInterval: 15 };
  assert.equal(jobs({ spec, queue: 5, target: 1, running: 0 }), 5);
  assert.equal(jobs({ spec, queue: 5, target: 1, running: 5 }), 0);
});

test('minReplicaCount 2 creates 2 jobs first, then 10 more as extra capacity (#6148)', () => {
  const spec = { minReplicaCount: 2, maxReplicaCount: 100 };
  const first = decideScaledJob({
    sj: makeSj(spec),
    specs: [spec0()],
    readings: [reading(0, 10)],
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  assert.equal(first.jobsToCreate, 2);
  assert.ok(first.reasons.some((r) => r.code === TIDE.JobsBelowMin));
  assert.equal(jobs({ spec, queue: 10, target: 1, running: 2 }), 10);
});
function spec0(): MetricSpec[] {
  return spec(0, 1);
}

test('minReplicaCount > 0 makes the ScaledJob active with an empty queue', () => {
  const d = decideScaledJob({
    sj: makeSj({ minReplicaCount: 1 }),
    specs: [spec0()],
    readings: [reading(0, 0)],
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  assert.equal(d.isActive, true);
  assert.equal(d.jobsToCreate, 1);
});

// keda.md 2.4: TestGetScaledJobState, min 0, max 100.
const multi: {
  calc: 'max' | 'min' | 'avg' | 'sum';
  max?: number;
  queue: number;
  maxScale: number;
}[] = [
  { calc: 'max', queue: 20, maxScale: 20 },
  { calc: 'min', queue: 5, maxScale: 2 },
  { calc: 'avg', queue: 35 / 3, maxScale: 9 },
  { calc: 'sum', queue: 35, maxScale: 27 },
  { calc: 'sum', max: 25, queue: 35, maxScale: 25 },
];
for (const c of multi) {
  test(`multipleScalersCalculation ${c.calc}${c.max ? ` with max ${c.max}` : ''}: queue ${Math.ceil(c.queue)}, maxScale ${c.maxScale}`, () => {
    const scalers: [number, number, boolean][] = [
      [20, 1, true],
      [10, 2, true],
      [5, 3, true],
      [7, 4, false],
    ];
    const d = decideScaledJob({
      sj: makeSj(
        { maxReplicaCount: c.max ?? 100, scalingStrategy: { multipleScalersCalculation: c.calc } },
        {},
        4,
      ),
      specs: scalers.map(([, t], i) => spec(i, t)),
      readings: scalers.map(([q, , a], i) => reading(i, q, a)),
      runningJobs: 0,
      pendingJobs: 0,
      now: 0,
    });
    assert.equal(Math.ceil(d.queueLength), Math.ceil(c.queue));
    assert.equal(d.maxScale, c.maxScale);
    assert.equal(d.jobsToCreate, Math.min(Math.ceil(c.queue), c.maxScale));
  });
}

test('max: no active scaler with a queue means inactive and no jobs', () => {
  const d = decideScaledJob({
    sj: makeSj({}, {}, 2),
    specs: [spec(0, 1), spec(1, 1)],
    readings: [reading(0, 0, true), reading(1, 9, false)],
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  assert.equal(d.isActive, false);
  assert.equal(d.jobsToCreate, 0);
});

const caps: {
  name: string;
  caps: ScaledJobInput['caps'];
  running: number;
  want: number;
  code: string;
}[] = [
  {
    name: 'per-round cap limits one round',
    caps: { maxPerRound: 2 },
    running: 0,
    want: 2,
    code: TIDE.JobsPerRoundCap,
  },
  {
    name: 'total cap counts unfinished jobs',
    caps: { maxRunning: 6 },
    running: 4,
    want: 2,
    code: TIDE.RunningJobsCap,
  },
  {
    name: 'total cap at its limit creates none',
    caps: { maxRunning: 4 },
    running: 4,
    want: 0,
    code: TIDE.RunningJobsCap,
  },
  {
    name: 'both caps apply, the tighter wins',
    caps: { maxPerRound: 3, maxRunning: 5 },
    running: 3,
    want: 2,
    code: TIDE.RunningJobsCap,
  },
];
for (const c of caps) {
  test(`tide caps: ${c.name}`, () => {
    const d = decideScaledJob({
      sj: makeSj({ maxReplicaCount: 100 }),
      specs: [spec0()],
      readings: [reading(0, 50)],
      runningJobs: c.running,
      pendingJobs: 0,
      now: 0,
      ...(c.caps ? { caps: c.caps } : {}),
    });
    assert.equal(d.jobsToCreate, c.want);
    assert.ok(d.reasons.some((r) => r.code === c.code));
  });
}

test('paused ScaledJob creates nothing', () => {
  const d = decideScaledJob({
    sj: makeSj({}, { [ANNOTATIONS.paused]: 'true' }),
    specs: [spec0()],
    readings: [reading(0, 50)],
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  assert.equal(d.jobsToCreate, 0);
  assert.equal(d.conditions.paused.status, 'True');
});

test('a failing trigger with an active one reports PartialTriggerError and still creates jobs', () => {
  const d = decideScaledJob({
    sj: makeSj({}, {}, 2),
    specs: [spec(0, 1), spec(1, 1)],
    readings: [reading(0, 4), { ok: false, error: 'down' }],
    runningJobs: 0,
    pendingJobs: 0,
    now: 5,
  });
  assert.equal(d.jobsToCreate, 4);
  assert.equal(d.conditions.ready.reason, KEDA.PartialTriggerError);
  assert.equal(d.state.lastActiveTime, 5);
  assert.ok(d.events.some((e) => e.code === KEDA.JobsCreated && e.message === 'Created 4 jobs'));
});

test('every trigger failing reports TriggerError and creates nothing', () => {
  const d = decideScaledJob({
    sj: makeSj(),
    specs: [spec0()],
    readings: [{ ok: false, error: 'down' }],
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  assert.equal(d.jobsToCreate, 0);
  assert.equal(d.conditions.ready.reason, KEDA.TriggerError);
});

test('the target per job averages every spec of a trigger, a Value spec counting 0 (KEDA getTargetAverageValue)', () => {
  assert.equal(
    targetAverageValue([
      { name: 's0-a', targetType: 'AverageValue', target: 4 },
      { name: 's0-b', targetType: 'Value', target: 5 },
    ]),
    2,
  );
  assert.equal(targetAverageValue([]), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEDA, TIDE } from '../engine/reasons.js';
import { fail, makeSo, read, S, spec0, st, T0 } from '../engine/test-fixtures.js';
import { makeSj, sjRound, soRound } from './explain-fixtures.js';
import { clock, explainDecision } from './explain.js';
import type { DecisionRecord, ObjectRef } from './types.js';

// T0 is 2023-11-14T22:13:20Z.
const so = makeSo();
const soRef: ObjectRef = { kind: 'ScaledObject', namespace: 'default', name: 'worker-so' };
const sjRef: ObjectRef = { kind: 'ScaledJob', namespace: 'default', name: 'transcode' };
const base = { specs: [[spec0]], createdAt: T0 - 3600 * S };
const videos = [[{ name: 's0-redis-videos', targetType: 'AverageValue' as const, target: 3 }]];
const queue = (v: number) => ({
  ok: true as const,
  metrics: [{ name: 's0-redis-videos', value: v }],
  isActive: v > 0,
});

function stabilized(): DecisionRecord[] {
  const a = soRound({ ...base, so, readings: [read(27)], currentReplicas: 3, now: T0 });
  const b = soRound({
    ...base,
    so,
    readings: [read(5)],
    currentReplicas: 3,
    now: T0 + 60 * S,
    state: a.state,
  });
  const c = soRound({
    ...base,
    so,
    readings: [read(5)],
    currentReplicas: 3,
    now: T0 + 70 * S,
    state: b.state,
  });
  return [a.record, b.record, c.record];
}

const cases: {
  name: string;
  ref?: ObjectRef;
  records: () => DecisionRecord[];
  sentence: string;
  codes: string[];
}[] = [
  {
    name: 'scaling up names the value, the target per replica and the ceil arithmetic',
    records: () => [
      soRound({ ...base, so, readings: [read(27)], currentReplicas: 1, now: T0 }).record,
    ],
    sentence:
      '3 replicas (up from 1): s0-redis-q: value 27, target 10 per replica, 1 replica → ceil(2.7) = 3.',
    codes: [TIDE.MetricReplicas],
  },
  {
    name: 'activation from zero says which trigger activated, then sizes the target',
    records: () => [
      soRound({ ...base, so, readings: [read(27)], currentReplicas: 0, now: T0 }).record,
    ],
    sentence:
      '3 replicas (up from 0): Scaled Deployment default/worker from 0 to 1, triggered by s0-redis-q; s0-redis-q: value 27, target 10 per replica, 1 replica → ceil(2.7) = 3.',
    codes: [KEDA.ScaleTargetActivated, TIDE.MetricReplicas],
  },
  {
    name: 'a scale-down held by the stabilization window says until when, and since when it held',
    records: stabilized,
    sentence:
      '3 replicas (steady since 22:13:20Z): s0-redis-q: value 5, target 10 per replica, 3 replicas → ceil(0.5) = 1; scale-down to 1 held at 3 by the 300 s stabilization window until 22:18:20Z.',
    codes: [TIDE.MetricReplicas, TIDE.ScaleDownStabilized],
  },
  {
    name: 'the cooldown says how long it still holds before scaling to zero',
    records: () => [
      soRound({
        ...base,
        so,
        readings: [read(0)],
        currentReplicas: 2,
        now: T0,
        state: st({ lastActiveTime: T0 - 100 * S, active: true }),
      }).record,
    ],
    sentence:
      '1 replica (down from 2): not active; cooldownPeriod 300 s holds until 22:16:40Z (200 s left) before scaling to 0; s0-redis-q: value 0, target 10 per replica, 2 replicas → ceil(0) = 0; recommendation 0 is below the minimum 1 → 1.',
    codes: [KEDA.ScalerCooldown, TIDE.MetricReplicas, TIDE.CappedByMin],
  },
  {
    name: 'deactivation lists the trigger values the engine did not need to compute with',
    records: () => [
      soRound({
        ...base,
        so,
        readings: [read(0)],
        currentReplicas: 1,
        now: T0,
        state: st({ lastActiveTime: T0 - 400 * S, active: true }),
      }).record,
    ],
    sentence:
      '0 replicas (down from 1): s0-redis-q: value 0, target 10 per replica, not active; Deactivated Deployment default/worker from 1 to 0: cooldownPeriod 300 s after last activity at 22:06:40Z passed.',
    codes: [KEDA.ScaleTargetDeactivated],
  },
  {
    name: 'paused-replicas wins over the metric',
    records: () => [
      soRound({
        ...base,
        so: makeSo({}, { 'autoscaling.keda.sh/paused-replicas': '2' }),
        readings: [read(27)],
        currentReplicas: 5,
        now: T0,
      }).record,
    ],
    sentence: '2 replicas (down from 5): paused at 2 replicas (paused-replicas annotation).',
    codes: [KEDA.ScaledObjectPaused],
  },
  {
    name: 'a failing trigger without fallback says the error and that nothing scales down',
    records: () => [
      soRound({
        ...base,
        so,
        readings: [fail('connect ECONNREFUSED 127.0.0.1:6399')],
        currentReplicas: 2,
        now: T0,
      }).record,
    ],
    sentence:
      '2 replicas: s0-redis-q: trigger 0 (redis) failed: connect ECONNREFUSED 127.0.0.1:6399; triggers failed and there is no fallback: never scaling down on an error, replicas stay 2; no metric could be read (s0-redis-q): replicas stay 2.',
    codes: [TIDE.MetricReplicas, KEDA.TriggerError, TIDE.AllMetricsFailed],
  },
  {
    name: 'maxReplicaCount caps the recommendation',
    records: () => [
      soRound({
        ...base,
        so: makeSo({ maxReplicaCount: 4 }),
        readings: [read(100)],
        currentReplicas: 4,
        now: T0,
      }).record,
    ],
    sentence:
      '4 replicas: s0-redis-q: value 100, target 10 per replica, 4 replicas → ceil(10) = 10; recommendation 10 exceeds maxReplicaCount 4 → 4.',
    codes: [TIDE.MetricReplicas, TIDE.CappedByMax],
  },
  {
    name: 'a ScaledJob names the queue, the target per job and the strategy arithmetic',
    ref: sjRef,
    records: () => [
      sjRound({
        sj: makeSj(),
        specs: videos,
        readings: [queue(12)],
        runningJobs: 1,
        pendingJobs: 0,
        now: T0,
      }),
    ],
    sentence:
      'started 3 jobs (1 unfinished before this round): trigger 0 (redis): queue 12, target 3 per job → 4; default: maxScale 4 − running 1 = 3; create min(scaleTo 12, effective 3) = 3.',
    codes: [TIDE.JobQueue, TIDE.JobStrategy, TIDE.JobStrategy],
  },
  {
    name: "a ScaledJob capped by tide's per-round annotation says so",
    ref: sjRef,
    records: () => [
      sjRound({
        sj: makeSj(),
        specs: videos,
        readings: [queue(30)],
        runningJobs: 0,
        pendingJobs: 0,
        now: T0,
        caps: { maxPerRound: 4 },
      }),
    ],
    sentence:
      'started 4 jobs (0 unfinished before this round): trigger 0 (redis): queue 30, target 3 per job → 10; default: maxScale 10 − running 0 = 10; create min(scaleTo 30, effective 10) = 10; 10 jobs capped at 4 per round (autoscaling.tide.dev/max-jobs-per-round).',
    codes: [TIDE.JobQueue, TIDE.JobStrategy, TIDE.JobStrategy, TIDE.JobsPerRoundCap],
  },
  {
    name: 'an idle ScaledJob says it is not active',
    ref: sjRef,
    records: () => [
      sjRound({
        sj: makeSj(),
        specs: videos,
        readings: [queue(0)],
        runningJobs: 0,
        pendingJobs: 0,
        now: T0,
      }),
    ],
    sentence:
      'started no job (0 unfinished before this round): trigger 0 (redis): queue 0, target 3 per job → 0 (not active); default: maxScale 0 − running 0 = 0; not active: no jobs to create.',
    codes: [TIDE.JobQueue, TIDE.JobStrategy, TIDE.NoJobs],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const e = explainDecision(c.ref ?? soRef, c.records());
    assert.ok(e, 'an explanation');
    assert.equal(e.sentence, c.sentence);
    assert.deepEqual(e.codes, c.codes);
  });
}

test('the paragraph names the object and the time of the decision', () => {
  const e = explainDecision(soRef, stabilized());
  assert.equal(e?.paragraph, `ScaledObject default/worker-so at 22:14:30Z: ${e?.sentence ?? ''}`);
  assert.equal(e?.since, '2023-11-14T22:13:20.000Z');
});

test('no records: no explanation', () => {
  assert.equal(explainDecision(soRef, []), undefined);
});

test('clock keeps the date only when the instant is on another day', () => {
  assert.equal(clock('2026-11-23T12:04:10.500Z', '2026-11-23T11:00:00Z'), '12:04:10Z');
  assert.equal(clock('2026-11-24T00:00:01Z', '2026-11-23T23:59:00Z'), '2026-11-24 00:00:01Z');
});

test('a wait target: explain shows the estimate and its arithmetic', () => {
  const so = makeSo(
    { pollingInterval: 15, maxReplicaCount: 10 },
    { 'autoscaling.tide.dev/target-wait-seconds': '10' },
  );
  const base = { so, specs: [[spec0]], createdAt: T0 - 3600 * S };
  const a = soRound({
    ...base,
    readings: [read(5)],
    currentReplicas: 1,
    now: T0,
    waitSignals: { inFlight: 0, completed: 0, busySeconds: 0 },
  });
  const b = soRound({
    ...base,
    readings: [read(16)],
    currentReplicas: 1,
    now: T0 + 15 * S,
    state: a.state,
    waitSignals: { inFlight: 1, completed: 3, busySeconds: 15 },
  });
  const e = explainDecision(soRef, [a.record, b.record]);
  assert.ok(e?.codes.includes(TIDE.WaitTarget), e?.codes.join(' '));
  assert.match(
    e?.sentence ?? '',
    /wait target 10 s: max\(λ\/μ, B\/\(μ·T\)\) = max\(1\/0\.2, 16\/\(0\.2×10\)\)/,
  );
  assert.match(e?.sentence ?? '', /8 replicas/);
});

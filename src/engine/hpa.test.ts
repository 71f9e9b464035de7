import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HPABehavior } from '../manifests/types.js';
import { computeHpa, proposeReplicas, type HpaInput, type HpaMetric } from './hpa.js';
import { TIDE } from './reasons.js';
import { EMPTY_HPA_STATE, type HpaState } from './types.js';

const TOL = { up: 0.1, down: 0.1 };
const avg = (value: number, target: number, name = 's0-m'): HpaMetric & { value: number } => ({
  name,
  targetType: 'AverageValue',
  target,
  value,
});
const val = (value: number, target: number): HpaMetric & { value: number } => ({
  name: 's0-v',
  targetType: 'Value',
  target,
  value,
});

const proposals: {
  name: string;
  m: HpaMetric & { value: number };
  cur: number;
  ready: number;
  want: number;
}[] = [
  {
    name: 'AverageValue: queue 20, target 5, 3 replicas proposes 4 (keda.md 1.6)',
    m: avg(20, 5),
    cur: 3,
    ready: 3,
    want: 4,
  },
  {
    name: 'AverageValue: queue 16, target 5, 3 replicas stays 3 (ratio 1.067 within tolerance)',
    m: avg(16, 5),
    cur: 3,
    ready: 3,
    want: 3,
  },
  {
    name: 'AverageValue: 27 items, target 10, 1 replica proposes ceil(2.7) = 3',
    m: avg(27, 10),
    cur: 1,
    ready: 1,
    want: 3,
  },
  { name: 'AverageValue ignores ready pods', m: avg(20, 5), cur: 3, ready: 0, want: 4 },
  {
    name: 'AverageValue: ratio exactly 1.1 is within tolerance',
    m: avg(11, 10),
    cur: 1,
    ready: 1,
    want: 1,
  },
  {
    name: 'AverageValue: 0 proposes 0 (clamped to min later)',
    m: avg(0, 10),
    cur: 4,
    ready: 4,
    want: 0,
  },
  {
    name: 'Value: 3 ready pods, value 20, target 5 proposes 12 (keda.md 1.6)',
    m: val(20, 5),
    cur: 3,
    ready: 3,
    want: 12,
  },
  { name: 'Value uses ready pods, not replicas', m: val(20, 5), cur: 3, ready: 1, want: 4 },
  {
    name: 'Value with 0 current replicas proposes ceil(ratio)',
    m: val(12, 5),
    cur: 0,
    ready: 0,
    want: 3,
  },
  { name: 'Value within tolerance keeps current', m: val(5.2, 5), cur: 7, ready: 2, want: 7 },
  {
    name: 'negative values are clamped to 0 for the HPA',
    m: avg(-5, 10),
    cur: 2,
    ready: 2,
    want: 0,
  },
  { name: 'NaN is clamped to 0 for the HPA', m: avg(Number.NaN, 10), cur: 2, ready: 2, want: 0 },
  {
    name: 'Utilization 90% of target 50% on 2 ready pods proposes 4',
    m: { name: 'cpu', targetType: 'Utilization', target: 50, value: 90 },
    cur: 2,
    ready: 2,
    want: 4,
  },
];
for (const c of proposals) {
  test(c.name, () => {
    assert.equal(proposeReplicas(c.m, c.cur, c.ready, TOL).replicas, c.want);
  });
}

test('the proposal message shows the arithmetic', () => {
  const p = proposeReplicas(avg(27, 10, 's0-redis-celery'), 1, 1, TOL);
  assert.match(
    p.reasons[0]?.message ?? '',
    /value 27, target 10 per replica, 1 replica → ceil\(2\.7\) = 3/,
  );
});

test('per-direction tolerance from behavior widens the dead band for scale-down only', () => {
  // ratio 0.75: outside 0.1, inside a 0.3 scale-down tolerance.
  assert.equal(proposeReplicas(avg(30, 10), 4, 4, { up: 0.1, down: 0.3 }).replicas, 4);
  assert.equal(proposeReplicas(avg(30, 10), 4, 4, TOL).replicas, 3);
});

function run(
  base: Omit<HpaInput, 'state' | 'now'>,
  steps: { at: number; metrics?: HpaMetric[] }[],
): number[] {
  let state: HpaState = EMPTY_HPA_STATE;
  let cur = base.currentReplicas;
  const out: number[] = [];
  for (const s of steps) {
    const r = computeHpa({
      ...base,
      metrics: s.metrics ?? base.metrics,
      currentReplicas: cur,
      readyReplicas: cur,
      now: s.at * 1000,
      state,
    });
    state = r.state;
    cur = r.desiredReplicas;
    out.push(cur);
  }
  return out;
}

const cases: {
  name: string;
  input: Omit<HpaInput, 'state' | 'now'>;
  want: number;
  code?: string;
}[] = [
  {
    name: 'max over metrics wins',
    input: {
      metrics: [avg(20, 10, 'a'), avg(50, 10, 'b')],
      currentReplicas: 2,
      readyReplicas: 2,
      minReplicas: 1,
      maxReplicas: 10,
    },
    want: 4,
  },
  {
    name: 'legacy scale-up is capped at max(2 × current, 4) per round',
    input: {
      metrics: [avg(500, 10)],
      currentReplicas: 1,
      readyReplicas: 1,
      minReplicas: 1,
      maxReplicas: 100,
    },
    want: 4,
    code: TIDE.ScaleUpLimited,
  },
  {
    name: 'legacy scale-up from 5 is capped at 10',
    input: {
      metrics: [avg(500, 10)],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 1,
      maxReplicas: 100,
    },
    want: 10,
  },
  {
    name: 'clamped to maxReplicas',
    input: {
      metrics: [avg(500, 10)],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 1,
      maxReplicas: 7,
    },
    want: 7,
    code: TIDE.CappedByMax,
  },
  {
    name: 'clamped to minReplicas',
    input: {
      metrics: [avg(0, 10)],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 2,
      maxReplicas: 7,
    },
    want: 2,
    code: TIDE.CappedByMin,
  },
  {
    name: 'one metric failing while the others would scale down holds replicas (HPA rule 5)',
    input: {
      metrics: [
        avg(0, 10, 'a'),
        { name: 'b', targetType: 'AverageValue', target: 10, error: 'down' },
      ],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 1,
      maxReplicas: 10,
    },
    want: 5,
    code: TIDE.MetricErrorHold,
  },
  {
    name: 'one metric failing does not block a scale-up',
    input: {
      metrics: [
        avg(80, 10, 'a'),
        { name: 'b', targetType: 'AverageValue', target: 10, error: 'down' },
      ],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 1,
      maxReplicas: 10,
    },
    want: 8,
  },
  {
    name: 'every metric failing holds replicas',
    input: {
      metrics: [{ name: 'b', targetType: 'AverageValue', target: 10, error: 'down' }],
      currentReplicas: 5,
      readyReplicas: 5,
      minReplicas: 1,
      maxReplicas: 10,
    },
    want: 5,
    code: TIDE.AllMetricsFailed,
  },
  {
    name: 'current above max goes to max without metrics',
    input: { metrics: [], currentReplicas: 12, readyReplicas: 12, minReplicas: 1, maxReplicas: 10 },
    want: 10,
  },
  {
    name: 'zero replicas leave the HPA inert',
    input: {
      metrics: [avg(50, 10)],
      currentReplicas: 0,
      readyReplicas: 0,
      minReplicas: 1,
      maxReplicas: 10,
    },
    want: 0,
    code: TIDE.HPAInert,
  },
];
for (const c of cases) {
  test(c.name, () => {
    const r = computeHpa({ ...c.input, now: 0, state: EMPTY_HPA_STATE });
    assert.equal(r.desiredReplicas, c.want);
    if (c.code)
      assert.ok(
        r.reasons.some((x) => x.code === c.code),
        `expected reason ${c.code}, got ${r.reasons.map((x) => x.code).join(', ')}`,
      );
  });
}

test('legacy normalization holds the highest recommendation of the last 300 s', () => {
  const base = {
    metrics: [avg(80, 10)],
    currentReplicas: 8,
    readyReplicas: 8,
    minReplicas: 1,
    maxReplicas: 10,
  };
  const low = [avg(10, 10)];
  // t=0 recommends 8; from t=15 the metric says 1, held until the 8 leaves the window (t > 300).
  assert.deepEqual(
    run(base, [
      { at: 0 },
      { at: 15, metrics: low },
      { at: 300, metrics: low },
      { at: 301, metrics: low },
    ]),
    [8, 8, 8, 1],
  );
});

test('legacy stabilization names the until-time in its reason', () => {
  const s1 = computeHpa({
    metrics: [avg(80, 10)],
    currentReplicas: 8,
    readyReplicas: 8,
    minReplicas: 1,
    maxReplicas: 10,
    now: 0,
    state: EMPTY_HPA_STATE,
  });
  const s2 = computeHpa({
    metrics: [avg(10, 10)],
    currentReplicas: 8,
    readyReplicas: 8,
    minReplicas: 1,
    maxReplicas: 10,
    now: 60_000,
    state: s1.state,
  });
  const r = s2.reasons.find((x) => x.code === TIDE.ScaleDownStabilized);
  assert.ok(r);
  assert.match(r.message, /until 300 s/);
});

test('scale-down from 80 to 10 with Pods 4/60s + Percent 10/60s follows the documented ramp', () => {
  const behavior: HPABehavior = {
    scaleDown: {
      stabilizationWindowSeconds: 0,
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 60 },
        { type: 'Percent', value: 10, periodSeconds: 60 },
      ],
    },
  };
  const steps = Array.from({ length: 15 }, (_, i) => ({ at: i * 60 }));
  const got = run(
    {
      metrics: [avg(100, 10)],
      currentReplicas: 80,
      readyReplicas: 80,
      minReplicas: 1,
      maxReplicas: 100,
      behavior,
    },
    steps,
  );
  // Removes 8, then 8 (72 × 10% = 7.2 rounded up), ... then 4 at a time below 40.
  assert.deepEqual(got, [72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10, 10]);
});

test('scale-down policies sum the changes already made inside the period', () => {
  const behavior: HPABehavior = {
    scaleDown: {
      stabilizationWindowSeconds: 0,
      policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }],
    },
  };
  const seq = run(
    {
      metrics: [avg(10, 10)],
      currentReplicas: 20,
      readyReplicas: 20,
      minReplicas: 1,
      maxReplicas: 100,
      behavior,
    },
    [{ at: 0 }, { at: 15 }, { at: 59 }, { at: 60 }],
  );
  assert.deepEqual(seq, [16, 16, 16, 12]);
});

test('default scale-up policies allow max(+4 pods, +100%) per 15 s', () => {
  const seq = run(
    {
      metrics: [avg(1000, 10)],
      currentReplicas: 1,
      readyReplicas: 1,
      minReplicas: 1,
      maxReplicas: 100,
      behavior: {},
    },
    [0, 15, 30, 45, 60, 75].map((at) => ({ at })),
  );
  assert.deepEqual(seq, [5, 10, 20, 40, 80, 100]);
});

test('selectPolicy Min picks the policy allowing the smallest change', () => {
  const behavior: HPABehavior = {
    scaleUp: {
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
  };
  assert.deepEqual(
    run(
      {
        metrics: [avg(1000, 10)],
        currentReplicas: 10,
        readyReplicas: 10,
        minReplicas: 1,
        maxReplicas: 100,
        behavior,
      },
      [{ at: 0 }],
    ),
    [14],
  );
});

test('selectPolicy Disabled forbids that direction', () => {
  const r = computeHpa({
    metrics: [avg(0, 10)],
    currentReplicas: 6,
    readyReplicas: 6,
    minReplicas: 1,
    maxReplicas: 10,
    behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } },
    now: 0,
    state: EMPTY_HPA_STATE,
  });
  assert.equal(r.desiredReplicas, 6);
  assert.ok(r.reasons.some((x) => x.code === TIDE.ScaleDownDisabled));
});

test('scale-up stabilization window uses the lowest recommendation in the window', () => {
  const behavior: HPABehavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
  const seq = run(
    {
      metrics: [avg(20, 10)],
      currentReplicas: 2,
      readyReplicas: 2,
      minReplicas: 1,
      maxReplicas: 100,
      behavior,
    },
    [{ at: 0 }, { at: 15, metrics: [avg(80, 10)] }, { at: 61, metrics: [avg(80, 10)] }],
  );
  // 8 is stabilized in at t=61; the default policies then allow max(2 + 4, 2 × 2) = 6.
  assert.deepEqual(seq, [2, 2, 6]);
});

test('a set behavior without scaleDown window defaults it to 300 s', () => {
  const seq = run(
    {
      metrics: [avg(80, 10)],
      currentReplicas: 8,
      readyReplicas: 8,
      minReplicas: 1,
      maxReplicas: 100,
      behavior: { scaleUp: {} },
    },
    [{ at: 0 }, { at: 200, metrics: [avg(10, 10)] }, { at: 301, metrics: [avg(10, 10)] }],
  );
  assert.deepEqual(seq, [8, 8, 1]);
});

test('the recommendation history keeps each count once at its latest time, and decides as the full history would', () => {
  const behaviors: (HPABehavior | undefined)[] = [
    undefined,
    {
      scaleUp: { stabilizationWindowSeconds: 30 },
      scaleDown: { stabilizationWindowSeconds: 120 },
    },
  ];
  for (const behavior of behaviors) {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let kept: HpaState = EMPTY_HPA_STATE;
    let full: HpaState = EMPTY_HPA_STATE;
    let history: HpaState['recommendations'] = [];
    let curKept = 1;
    let curFull = 1;
    for (let t = 0; t < 1_000; t++) {
      // Waves: a level held for a while, with noise, so counts repeat and windows matter.
      const level = Math.floor(t / 90) % 3 === 1 ? 35 : 6;
      const input = {
        metrics: [avg(level + Math.floor(rnd() * 12), 5)],
        minReplicas: 1,
        maxReplicas: 12,
        ...(behavior ? { behavior } : {}),
        now: t * 1_000,
      };
      const a = computeHpa({
        ...input,
        currentReplicas: curKept,
        readyReplicas: curKept,
        state: kept,
      });
      // The reference keeps every round's recommendation, as the HPA's own list would.
      const b = computeHpa({
        ...input,
        currentReplicas: curFull,
        readyReplicas: curFull,
        state: { ...full, recommendations: history },
      });
      const what = `${behavior ? 'behavior' : 'legacy'}, round ${t}`;
      assert.equal(a.desiredReplicas, b.desiredReplicas, what);
      assert.deepEqual(
        a.reasons.map((r) => r.message),
        b.reasons.map((r) => r.message),
        what,
      );
      history = [...history, b.state.recommendations.at(-1)!];
      kept = a.state;
      full = b.state;
      curKept = a.desiredReplicas;
      curFull = b.desiredReplicas;
      const counts = kept.recommendations.map((r) => r.replicas);
      assert.equal(new Set(counts).size, counts.length, `${what}: one entry per count`);
    }
    assert.ok(kept.recommendations.length <= 13, `${kept.recommendations.length} entries kept`);
    assert.ok(history.length === 1_000);
  }
});

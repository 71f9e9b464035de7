import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaledObjectSpec } from '../manifests/types.js';
import { KEDA } from './reasons.js';
import { decideScaledObject } from './scaled-object.js';
import { fail, makeSo, read, S, spec0, T0 } from './test-fixtures.js';
import type { MetricSpec, ScaledObjectState } from './types.js';

// keda.md 1.10: fallback.
function failRounds(spec: Partial<ScaledObjectSpec>, rounds: number, cur: number, ready = cur) {
  let state: ScaledObjectState | undefined;
  let d = undefined as ReturnType<typeof decideScaledObject> | undefined;
  for (let i = 0; i < rounds; i++) {
    d = decideScaledObject({
      so: makeSo(spec),
      specs: [[spec0]],
      readings: [fail()],
      currentReplicas: cur,
      readyReplicas: ready,
      now: T0 + i * 15 * S,
      createdAt: T0 - 3600 * S,
      ...(state ? { state } : {}),
    });
    state = d.state;
  }
  assert.ok(d);
  return d;
}
const fallbacks: {
  name: string;
  spec: Partial<ScaledObjectSpec>;
  rounds: number;
  cur: number;
  ready?: number;
  want: number;
  fallback: boolean;
}[] = [
  {
    name: 'fallback: threshold 3 does not apply on the 3rd failure',
    spec: { fallback: { failureThreshold: 3, replicas: 6 } },
    rounds: 3,
    cur: 2,
    want: 2,
    fallback: false,
  },
  {
    name: 'fallback: threshold 3 applies on the 4th failure (strict >)',
    spec: { fallback: { failureThreshold: 3, replicas: 6 } },
    rounds: 4,
    cur: 3,
    want: 6,
    fallback: true,
  },
  {
    name: 'fallback: threshold 0 applies on the first failure',
    spec: { fallback: { failureThreshold: 0, replicas: 6 } },
    rounds: 1,
    cur: 3,
    want: 6,
    fallback: true,
  },
  {
    name: 'fallback: currentReplicas keeps the current count',
    spec: { fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicas' } },
    rounds: 1,
    cur: 4,
    want: 4,
    fallback: true,
  },
  {
    name: 'fallback: currentReplicasIfHigher takes the higher',
    spec: { fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicasIfHigher' } },
    rounds: 1,
    cur: 8,
    want: 8,
    fallback: true,
  },
  {
    name: 'fallback: currentReplicasIfHigher with a lower current takes replicas',
    spec: { fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicasIfHigher' } },
    rounds: 1,
    cur: 3,
    want: 6,
    fallback: true,
  },
  {
    name: 'fallback: currentReplicasIfLower takes the lower',
    spec: { fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicasIfLower' } },
    rounds: 1,
    cur: 8,
    want: 6,
    fallback: true,
  },
  // From 0: activation to 1, then the legacy HPA limit max(2 × 1, 4) = 4 on the way to 6.
  {
    name: 'fallback: static at 0 replicas activates the target (fallback counts as active)',
    spec: { fallback: { failureThreshold: 0, replicas: 6 } },
    rounds: 1,
    cur: 0,
    ready: 0,
    want: 4,
    fallback: true,
  },
  {
    name: 'fallback: an invalid block (negative replicas) never applies',
    spec: { fallback: { failureThreshold: 0, replicas: -1 } },
    rounds: 3,
    cur: 2,
    want: 2,
    fallback: false,
  },
];
for (const c of fallbacks) {
  test(c.name, () => {
    const d = failRounds(c.spec, c.rounds, c.cur, c.ready);
    assert.equal(d.desiredReplicas, c.want, d.reasons.map((r) => r.message).join('\n'));
    assert.equal(d.conditions.fallback.status, c.fallback ? 'True' : 'False');
    assert.equal(
      d.conditions.fallback.reason,
      c.fallback ? KEDA.FallbackExists : KEDA.NoFallbackFound,
    );
  });
}

test('fallback health counts per metric and resets on success', () => {
  const so = makeSo({ fallback: { failureThreshold: 3, replicas: 6 } });
  const a = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [fail()],
    currentReplicas: 2,
    now: T0,
  });
  const b = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [fail()],
    currentReplicas: 2,
    now: T0 + 15 * S,
    state: a.state,
  });
  assert.deepEqual(b.state.health['s0-redis-q'], { numberOfFailures: 2, status: 'Failing' });
  const c = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [read(20)],
    currentReplicas: 2,
    now: T0 + 30 * S,
    state: b.state,
  });
  assert.deepEqual(c.state.health['s0-redis-q'], { numberOfFailures: 0, status: 'Happy' });
});

test('fallback on a Value metric with no ready replica fails and holds', () => {
  const vspec: MetricSpec = { name: 's0-redis-q', targetType: 'Value', target: 10 };
  const d = decideScaledObject({
    so: makeSo({ fallback: { failureThreshold: 0, replicas: 6 } }),
    specs: [[vspec]],
    readings: [fail()],
    currentReplicas: 3,
    readyReplicas: 0,
    now: T0,
  });
  assert.equal(d.desiredReplicas, 3);
});

test('fallback activation and deactivation are reported as events', () => {
  const so = makeSo({ fallback: { failureThreshold: 0, replicas: 6 } });
  const a = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [fail()],
    currentReplicas: 2,
    now: T0,
  });
  assert.ok(a.events.some((e) => e.code === KEDA.FallbackActivated));
  const b = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [read(20)],
    currentReplicas: 6,
    now: T0 + 15 * S,
    state: a.state,
  });
  assert.ok(b.events.some((e) => e.code === KEDA.FallbackDeactivated));
});

test('a Value metric with no ready replica is not flagged as falling back: it stays an error', () => {
  const vspec: MetricSpec = { name: 's0-redis-q', targetType: 'Value', target: 10 };
  const d = decideScaledObject({
    so: makeSo({ fallback: { failureThreshold: 0, replicas: 6 } }),
    specs: [[vspec]],
    readings: [fail()],
    currentReplicas: 3,
    readyReplicas: 0,
    now: T0,
  });
  assert.equal(d.triggers[0]?.fallback, false);
  assert.equal(d.triggers[0]?.active, false);
  assert.equal(d.isActive, false);
  assert.ok(!d.events.some((e) => e.code === KEDA.FallbackActivated));
  assert.equal(d.hpaMetrics[0]?.error !== undefined, true);
  // KEDA's condition follows health: the metric is past its threshold.
  assert.equal(d.conditions.fallback.status, 'True');
});

test('without a fallback block the health KEDA recorded is kept, not dropped', () => {
  const d = decideScaledObject({
    so: makeSo(),
    specs: [[spec0]],
    readings: [read(20)],
    currentReplicas: 2,
    now: T0,
    state: {
      health: { 's0-redis-q': { numberOfFailures: 5, status: 'Failing' } },
      hpa: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] },
    },
  });
  assert.deepEqual(d.state.health, { 's0-redis-q': { numberOfFailures: 5, status: 'Failing' } });
});

test('a failing trigger whose fallback applies is no error: Ready stays True and activity is refreshed', () => {
  const d = failRounds({ fallback: { failureThreshold: 0, replicas: 6 } }, 1, 2);
  assert.equal(d.conditions.ready.status, 'True');
  assert.equal(d.conditions.ready.reason, KEDA.ScaledObjectReady);
  assert.equal(d.state.lastActiveTime, T0);
});

test('a scalingModifiers block with a target and no formula is treated as modifiers (KEDA IsUsingModifiers)', () => {
  const d = decideScaledObject({
    so: makeSo({
      triggers: [{ type: 'redis', name: 'a', metadata: {} }],
      advanced: { scalingModifiers: { target: '10' } },
    }),
    specs: [[spec0]],
    readings: [read(50)],
    currentReplicas: 2,
    now: T0,
  });
  // No formula to compute the composite metric from: the HPA part gets an error, not the raw metric.
  assert.deepEqual(
    d.hpaMetrics.map((m) => m.name),
    ['composite-metric'],
  );
  assert.equal(d.desiredReplicas, 2);
});

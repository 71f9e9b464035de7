import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaledObjectSpec } from '../manifests/types.js';
import { TIDE } from './reasons.js';
import { decideScaledObject } from './scaled-object.js';
import { fail, makeSo, read, S, spec0, spec1, T0 } from './test-fixtures.js';
import type { MetricSpec, TriggerReading } from './types.js';

// keda.md 1.9: scalingModifiers.
const modTriggers = [
  { type: 'redis', name: 'a', metadata: {} },
  { type: 'redis', name: 'b', metadata: {} },
];
const modSpecs: MetricSpec[][] = [[spec0], [spec1]];
const mods: {
  name: string;
  spec: Partial<ScaledObjectSpec>;
  readings: TriggerReading[];
  cur: number;
  want: number;
  active: boolean;
  rounds?: number;
}[] = [
  {
    name: 'modifiers: the composite drives the HPA (a + b over target 10)',
    spec: { advanced: { scalingModifiers: { formula: 'a + b', target: '10' } } },
    readings: [read(25), read(20, 0, 's1-redis-r')],
    cur: 3,
    want: 5,
    active: true,
  },
  {
    name: 'modifiers: activity is composite > activationTarget, strictly',
    spec: {
      advanced: { scalingModifiers: { formula: 'a - b', target: '10', activationTarget: '5' } },
    },
    readings: [read(25), read(20, 0, 's1-redis-r')],
    cur: 0,
    want: 0,
    active: false,
  },
  {
    name: 'modifiers: any failing trigger makes the object inactive',
    spec: { advanced: { scalingModifiers: { formula: 'a + 1', target: '10' } } },
    readings: [read(25), fail()],
    cur: 0,
    want: 0,
    active: false,
  },
  {
    name: 'modifiers: fallback behavior scalingModifiers passes nil and ?? routes around it',
    spec: {
      advanced: { scalingModifiers: { formula: 'b ?? a', target: '10' } },
      fallback: { failureThreshold: 0, replicas: 2, behavior: 'scalingModifiers' },
    },
    readings: [read(50), fail()],
    cur: 3,
    want: 5,
    // A trigger past its threshold is no error in KEDA (GetMetricsWithFallback returns nil),
    // so activity is the composite's.
    active: true,
  },
  {
    name: 'modifiers: a nil formula result uses fallback.replicas × target',
    spec: {
      advanced: { scalingModifiers: { formula: 'b ?? nil', target: '10' } },
      fallback: { failureThreshold: 0, replicas: 7, behavior: 'scalingModifiers' },
    },
    readings: [read(50), fail()],
    cur: 4,
    want: 7,
    // A trigger past its threshold is no error in KEDA (GetMetricsWithFallback returns nil),
    // so activity is the composite's.
    active: true,
  },
  {
    name: 'modifiers: static fallback skips the formula and sends target × N',
    spec: {
      advanced: { scalingModifiers: { formula: 'a + b', target: '10' } },
      fallback: { failureThreshold: 0, replicas: 3 },
    },
    readings: [read(90), fail()],
    cur: 2,
    want: 3,
    // A trigger past its threshold is no error in KEDA (GetMetricsWithFallback returns nil),
    // so activity is the composite's.
    active: true,
  },
  {
    name: 'modifiers: a non-integer target disables fallback (KEDA HasValidFallback)',
    spec: {
      advanced: { scalingModifiers: { formula: 'a + b', target: '2.5' } },
      fallback: { failureThreshold: 0, replicas: 3 },
    },
    readings: [read(90), fail()],
    cur: 2,
    want: 2,
    active: false,
  },
];
for (const c of mods) {
  test(c.name, () => {
    const d = decideScaledObject({
      so: makeSo({ triggers: modTriggers, ...c.spec }),
      specs: modSpecs,
      readings: c.readings,
      currentReplicas: c.cur,
      now: T0,
      createdAt: T0 - 3600 * S,
    });
    assert.equal(d.desiredReplicas, c.want, d.reasons.map((r) => r.message).join('\n'));
    assert.equal(d.isActive, c.active);
  });
}

test('modifiers: the reason shows the formula and the variables', () => {
  const d = decideScaledObject({
    so: makeSo({
      triggers: modTriggers,
      advanced: { scalingModifiers: { formula: '(a + b) / 2', target: '5' } },
    }),
    specs: modSpecs,
    readings: [read(12), read(8, 0, 's1-redis-r')],
    currentReplicas: 1,
    now: T0,
  });
  assert.ok(
    d.reasons.some((r) => r.code === TIDE.CompositeMetric && /a=12, b=8 → 10/.test(r.message)),
  );
  assert.equal(d.hpaMetrics[0]?.name, 'composite-metric');
  assert.equal(d.desiredReplicas, 2);
});

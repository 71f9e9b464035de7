/**
 * The controller's quiet rounds (src/scheduler/controller.ts) rest on one property of the
 * engine: a ScaledObject idle at zero (no replicas before or after, inactive, no failing
 * trigger, no event) whose round left its state unchanged gets the same decision from the same
 * readings at any later time. Checked here over the specs where time matters elsewhere.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaledObjectSpec } from '../manifests/types.js';
import { ANNOTATIONS } from './pause.js';
import { decide, makeSo, read, S, T0 } from './test-fixtures.js';
import type { ScaledObjectState } from './types.js';

const cases: {
  name: string;
  spec?: Partial<ScaledObjectSpec>;
  annotations?: Record<string, string>;
  /** A reading below activation: [value, activation]. */
  value?: [number, number];
}[] = [
  { name: 'defaults' },
  {
    name: 'below activation',
    value: [3, 5],
    spec: {
      triggers: [
        { type: 'redis', metadata: { listName: 'q', listLength: '10', activationListLength: '5' } },
      ],
    },
  },
  {
    name: 'idleReplicaCount 0, minReplicaCount 2',
    spec: { idleReplicaCount: 0, minReplicaCount: 2 },
  },
  { name: 'initialCooldownPeriod 600', spec: { initialCooldownPeriod: 600 } },
  { name: 'cooldownPeriod 300', spec: { cooldownPeriod: 300 } },
  {
    name: 'HPA behavior with stabilization windows',
    spec: {
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: 600,
              policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
            },
            scaleUp: { stabilizationWindowSeconds: 120 },
          },
        },
      },
    },
  },
  { name: 'fallback configured', spec: { fallback: { failureThreshold: 3, replicas: 4 } } },
];

for (const c of cases) {
  test(`an idle ScaledObject at zero decides the same later: ${c.name}`, () => {
    const so = makeSo(c.spec ?? {}, c.annotations ?? {});
    // Created just now: the initial cooldown, if any, is still running.
    const base = {
      so,
      readings: [read(...(c.value ?? [0, 0]))],
      currentReplicas: 0,
      createdAt: T0 - S,
    };
    const warm = decide({ ...base, now: T0 });
    const first = decide({ ...base, now: T0 + S, state: warm.state });
    assert.equal(first.desiredReplicas, 0);
    assert.equal(first.isActive, false);
    assert.deepEqual(first.events, []);
    assert.equal(first.state, warm.state, 'the round left the state as it found it');
    for (const later of [2 * S, 61 * S, 3600 * S, 3 * 86_400 * S]) {
      const again = decide({ ...base, now: T0 + later, state: first.state });
      assert.equal(again.state, first.state, `state at +${later / S} s`);
      assert.equal(again.desiredReplicas, first.desiredReplicas);
      assert.equal(again.isActive, first.isActive);
      assert.deepEqual(again.reasons, first.reasons, `reasons at +${later / S} s`);
      assert.deepEqual(again.conditions, first.conditions, `conditions at +${later / S} s`);
      assert.deepEqual(again.events, []);
    }
  });
}

test('an object above zero is not idle: its cooldown moves it later (the property needs zero)', () => {
  const so = makeSo({ cooldownPeriod: 60 });
  const state: ScaledObjectState = decide({
    so,
    readings: [read(20)],
    currentReplicas: 2,
    now: T0,
  }).state;
  const soon = decide({ so, readings: [read(0)], currentReplicas: 2, now: T0 + S, state });
  const late = decide({
    so,
    readings: [read(0)],
    currentReplicas: 2,
    now: T0 + 120 * S,
    state: soon.state,
  });
  assert.notEqual(soon.desiredReplicas, late.desiredReplicas);
});

test('a paused object is never quiet: each round rebuilds its state', () => {
  const paused: Record<string, string>[] = [
    { [ANNOTATIONS.pausedReplicas]: '0' },
    { [ANNOTATIONS.paused]: 'true' },
  ];
  for (const annotations of paused) {
    const so = makeSo({}, annotations);
    const base = { so, readings: [read(0)], currentReplicas: 0 };
    const warm = decide({ ...base, now: T0 });
    assert.notEqual(decide({ ...base, now: T0 + S, state: warm.state }).state, warm.state);
  }
});

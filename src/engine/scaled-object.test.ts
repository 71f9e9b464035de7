import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaledObject, ScaledObjectSpec } from '../manifests/types.js';
import { ANNOTATIONS } from './pause.js';
import { KEDA, TIDE } from './reasons.js';
import { decideScaledObject, type ScaledObjectInput } from './scaled-object.js';
import { decide, fail, makeSo, read, S, spec0, st, T0 } from './test-fixtures.js';
import type { MetricSpec, ScaledObjectState, TriggerReading } from './types.js';

// keda.md 1.4, one case per row of the executor table.
const table: {
  name: string;
  input: Partial<ScaledObjectInput> & { so: ScaledObject };
  want: number;
  code?: string;
  ready?: string;
  active?: string;
}[] = [
  {
    name: 'active at 0 replicas with min 0 activates to 1 and sizes with the HPA in the same round',
    input: { so: makeSo(), readings: [read(27)], currentReplicas: 0 },
    want: 3,
    code: KEDA.ScaleTargetActivated,
  },
  {
    name: 'active at 0 replicas with min 2 activates to 2',
    input: { so: makeSo({ minReplicaCount: 2 }), readings: [read(1)], currentReplicas: 0 },
    want: 2,
    code: KEDA.ScaleTargetActivated,
  },
  {
    name: 'active below min with idle set activates to min',
    input: {
      so: makeSo({ minReplicaCount: 3, idleReplicaCount: 0 }),
      readings: [read(5)],
      currentReplicas: 0,
    },
    want: 3,
    code: KEDA.ScaleTargetActivated,
  },
  {
    name: 'active at N with values sizes by the HPA',
    input: { so: makeSo(), readings: [read(45)], currentReplicas: 2 },
    want: 4,
    active: KEDA.ScalerActive,
  },
  {
    name: 'active with a failing trigger sets PartialTriggerError',
    input: {
      so: makeSo({ triggers: [makeSo().spec.triggers[0]!, { type: 'redis', metadata: {} }] }),
      readings: [read(30), fail()],
      currentReplicas: 3,
    },
    want: 3,
    ready: KEDA.PartialTriggerError,
  },
  {
    name: 'inactive with an error and no fallback never scales down',
    input: { so: makeSo(), readings: [fail()], currentReplicas: 4 },
    want: 4,
    ready: KEDA.TriggerError,
    code: KEDA.TriggerError,
  },
  {
    name: 'inactive with an error and no fallback at 0 stays 0',
    input: { so: makeSo(), readings: [fail()], currentReplicas: 0 },
    want: 0,
    ready: KEDA.TriggerError,
  },
  {
    name: 'inactive with an error and a fallback below threshold holds',
    input: {
      so: makeSo({ fallback: { failureThreshold: 3, replicas: 5 } }),
      readings: [fail()],
      currentReplicas: 2,
    },
    want: 2,
  },
  {
    name: 'inactive past cooldown scales to zero',
    input: {
      so: makeSo({ cooldownPeriod: 60 }),
      readings: [read(0)],
      currentReplicas: 3,
      state: st({ lastActiveTime: T0 - 61 * S }),
    },
    want: 0,
    code: KEDA.ScaleTargetDeactivated,
  },
  {
    name: 'inactive inside cooldown keeps replicas up (HPA may go down to 1)',
    input: {
      so: makeSo({ cooldownPeriod: 60 }),
      readings: [read(0)],
      currentReplicas: 3,
      state: st({ lastActiveTime: T0 - 30 * S }),
    },
    want: 1,
    active: KEDA.ScalerCooldown,
  },
  {
    name: 'inactive past cooldown with idle scales to idle',
    input: {
      so: makeSo({ minReplicaCount: 2, idleReplicaCount: 0 }),
      readings: [read(0)],
      currentReplicas: 2,
      state: st({ lastActiveTime: T0 - 301 * S }),
    },
    want: 0,
  },
  {
    name: 'inactive below min without idle raises to min at once',
    input: { so: makeSo({ minReplicaCount: 2 }), readings: [read(0)], currentReplicas: 1 },
    want: 2,
    code: TIDE.RaisedToMin,
  },
  {
    name: 'inactive at 0 with min 0 stays 0',
    input: { so: makeSo(), readings: [read(0)], currentReplicas: 0 },
    want: 0,
    code: TIDE.HPAInert,
  },
  {
    name: 'inactive at min with min ≥ 1 is left to the HPA',
    input: { so: makeSo({ minReplicaCount: 2 }), readings: [read(0)], currentReplicas: 2 },
    want: 2,
  },
  {
    name: 'inactive with an error and fallback.replicas 0 falls through to scale to zero',
    input: {
      so: makeSo({ fallback: { failureThreshold: 1, replicas: 0 }, cooldownPeriod: 10 }),
      readings: [fail()],
      currentReplicas: 3,
      state: st({ lastActiveTime: T0 - 11 * S }),
    },
    want: 0,
    code: KEDA.ScaleTargetDeactivated,
  },
];
for (const c of table) {
  test(c.name, () => {
    const d = decide(c.input);
    assert.equal(d.desiredReplicas, c.want, d.reasons.map((r) => r.message).join('\n'));
    if (c.code)
      assert.ok(
        d.reasons.some((r) => r.code === c.code),
        `expected ${c.code}: ${d.reasons.map((r) => r.code).join(',')}`,
      );
    if (c.ready) assert.equal(d.conditions.ready.reason, c.ready);
    if (c.active) assert.equal(d.conditions.active.reason, c.active);
  });
}

test('activation records lastActiveTime; an active round with errors does not refresh it', () => {
  const two = makeSo({ triggers: [makeSo().spec.triggers[0]!, { type: 'redis', metadata: {} }] });
  const a = decide({ so: two, readings: [read(5), read(5, 0, 's1-redis-r')], currentReplicas: 0 });
  assert.equal(a.state.lastActiveTime, T0);
  const b = decide({
    so: two,
    readings: [read(5), fail()],
    currentReplicas: 1,
    now: T0 + 15 * S,
    state: a.state,
  });
  assert.equal(b.state.lastActiveTime, T0);
  const c = decide({
    so: two,
    readings: [read(5), read(5, 0, 's1-redis-r')],
    currentReplicas: 1,
    now: T0 + 30 * S,
    state: b.state,
  });
  assert.equal(c.state.lastActiveTime, T0 + 30 * S);
});

const cooldowns: {
  name: string;
  spec: Partial<ScaledObjectSpec>;
  lastActive?: number;
  createdAgo: number;
  want: number;
}[] = [
  {
    name: 'cooldown: exactly cooldownPeriod after the last activity still waits (strict <)',
    spec: { cooldownPeriod: 200 },
    lastActive: -200,
    createdAgo: 3600,
    want: 1,
  },
  {
    name: 'cooldown: one ms past cooldownPeriod scales to zero',
    spec: { cooldownPeriod: 200 },
    lastActive: -200.001,
    createdAgo: 3600,
    want: 0,
  },
  {
    name: 'initialCooldown: never active, created 10 s ago with initialCooldownPeriod 60 waits',
    spec: { initialCooldownPeriod: 60 },
    createdAgo: 10,
    want: 1,
  },
  {
    name: 'initialCooldown: never active, created 61 s ago with initialCooldownPeriod 60 scales to zero',
    spec: { initialCooldownPeriod: 60 },
    createdAgo: 61,
    want: 0,
  },
  {
    name: 'initialCooldown 0: a fresh object with an idle source goes to zero at the first poll',
    spec: {},
    createdAgo: 0.001,
    want: 0,
  },
  {
    name: 'initialCooldown is ignored once the object has been active',
    spec: { initialCooldownPeriod: 600, cooldownPeriod: 5 },
    lastActive: -6,
    createdAgo: 10,
    want: 0,
  },
];
for (const c of cooldowns) {
  test(c.name, () => {
    const d = decideScaledObject({
      so: makeSo(c.spec),
      specs: [[spec0]],
      readings: [read(0)],
      currentReplicas: 1,
      now: T0,
      createdAt: T0 - c.createdAgo * S,
      state: st(c.lastActive !== undefined ? { lastActiveTime: T0 + c.lastActive * S } : {}),
    });
    assert.equal(d.desiredReplicas, c.want, d.reasons.map((r) => r.message).join('\n'));
  });
}

test('creationTimestamp is read from metadata when no createdAt is given', () => {
  const so = makeSo({ initialCooldownPeriod: 60 });
  so.metadata.creationTimestamp = '2023-11-14T22:13:00Z'; // T0 is 22:13:20Z
  const d = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [read(0)],
    currentReplicas: 1,
    now: T0,
  });
  assert.equal(d.desiredReplicas, 1);
  const later = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [read(0)],
    currentReplicas: 1,
    now: T0 + 41 * S,
  });
  assert.equal(later.desiredReplicas, 0);
});

// keda.md 1.11: pause and force activation.
const pauses: {
  name: string;
  ann: Record<string, string>;
  spec?: Partial<ScaledObjectSpec>;
  reading: TriggerReading;
  cur: number;
  state?: Partial<ScaledObjectState>;
  want: number;
  code: string;
}[] = [
  {
    name: 'paused holds replicas whatever the triggers say',
    ann: { [ANNOTATIONS.paused]: 'true' },
    reading: read(100),
    cur: 2,
    want: 2,
    code: KEDA.ScaledObjectPaused,
  },
  {
    name: 'paused-replicas sets the count',
    ann: { [ANNOTATIONS.pausedReplicas]: '5' },
    reading: read(0),
    cur: 2,
    want: 5,
    code: KEDA.ScaledObjectPaused,
  },
  {
    name: 'paused-replicas wins over paused false',
    ann: { [ANNOTATIONS.paused]: 'false', [ANNOTATIONS.pausedReplicas]: '0' },
    reading: read(50),
    cur: 3,
    want: 0,
    code: KEDA.ScaledObjectPaused,
  },
  {
    name: 'an invalid paused-replicas holds and reports the annotation',
    ann: { [ANNOTATIONS.pausedReplicas]: 'x' },
    reading: read(50),
    cur: 3,
    want: 3,
    code: TIDE.AnnotationInvalid,
  },
  {
    name: 'paused-scale-out blocks activation from zero',
    ann: { [ANNOTATIONS.pausedScaleOut]: 'true' },
    reading: read(50),
    cur: 0,
    want: 0,
    code: TIDE.ScaleOutPaused,
  },
  {
    name: 'paused-scale-out blocks HPA scale-up',
    ann: { [ANNOTATIONS.pausedScaleOut]: 'true' },
    reading: read(50),
    cur: 2,
    want: 2,
    code: TIDE.ScaleUpDisabled,
  },
  {
    name: 'paused-scale-in blocks scaling to zero after cooldown',
    ann: { [ANNOTATIONS.pausedScaleIn]: 'true' },
    spec: { cooldownPeriod: 0 },
    reading: read(0),
    cur: 3,
    state: { lastActiveTime: T0 - 10 * S },
    want: 3,
    code: TIDE.ScaleInPaused,
  },
  {
    name: 'paused-scale-in blocks HPA scale-down',
    ann: { [ANNOTATIONS.pausedScaleIn]: 'true' },
    reading: read(10),
    cur: 5,
    want: 5,
    code: TIDE.ScaleDownDisabled,
  },
  {
    name: 'force-activation activates with idle triggers',
    ann: { [ANNOTATIONS.forceActivation]: 'true' },
    reading: read(0),
    cur: 0,
    want: 1,
    code: TIDE.ForceActivation,
  },
];
for (const c of pauses) {
  test(c.name, () => {
    const d = decideScaledObject({
      so: makeSo(c.spec, c.ann),
      specs: [[spec0]],
      readings: [c.reading],
      currentReplicas: c.cur,
      now: T0,
      createdAt: T0 - 3600 * S,
      state: st(c.state ?? {}),
    });
    assert.equal(d.desiredReplicas, c.want, d.reasons.map((r) => r.message).join('\n'));
    assert.ok(
      d.reasons.some((r) => r.code === c.code),
      `expected ${c.code}: ${d.reasons.map((r) => r.code).join(',')}`,
    );
  });
}

test('paused-scale-in reports Paused=True while the loop keeps running', () => {
  const d = decideScaledObject({
    so: makeSo({}, { [ANNOTATIONS.pausedScaleIn]: 'true' }),
    specs: [[spec0]],
    readings: [read(30)],
    currentReplicas: 1,
    now: T0,
  });
  assert.equal(d.conditions.paused.status, 'True');
  assert.equal(d.desiredReplicas, 3);
});

test('activation uses the raw value while the HPA sees negatives as 0', () => {
  const d = decideScaledObject({
    so: makeSo(),
    specs: [[spec0]],
    readings: [{ ok: true, metrics: [{ name: 's0-redis-q', value: -5 }], isActive: false }],
    currentReplicas: 2,
    now: T0,
    state: st({ lastActiveTime: T0 }),
  });
  assert.ok(d.reasons.some((r) => r.code === TIDE.MetricClamped));
  assert.equal(d.desiredReplicas, 1);
});

test('the activation reason names the metric and the numbers', () => {
  const d = decide({ so: makeSo(), readings: [read(27)], currentReplicas: 0 });
  const act = d.reasons.find((r) => r.code === KEDA.ScaleTargetActivated);
  assert.equal(
    act?.message,
    'Scaled Deployment default/worker from 0 to 1, triggered by s0-redis-q',
  );
  assert.ok(
    d.reasons.some((r) =>
      /value 27, target 10 per replica, 1 replica → ceil\(2\.7\) = 3/.test(r.message),
    ),
  );
});

test('only cpu/memory triggers without errors are always active', () => {
  const so = makeSo({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { value: '50' } }] });
  const cpu: MetricSpec = { name: 's0-cpu', targetType: 'Utilization', target: 50 };
  const d = decideScaledObject({
    so,
    specs: [[cpu]],
    readings: [{ ok: true, metrics: [{ name: 's0-cpu', value: 100 }], isActive: false }],
    currentReplicas: 2,
    now: T0,
  });
  assert.equal(d.isActive, true);
  assert.equal(d.desiredReplicas, 4);
});

test('at idleReplicaCount and inactive, the HPA part does not push replicas back to min (#2314)', () => {
  const d = decide({
    so: makeSo({ minReplicaCount: 3, idleReplicaCount: 1 }),
    readings: [read(0)],
    currentReplicas: 1,
    state: st({ lastActiveTime: T0 - 3600 * S }),
  });
  assert.equal(d.desiredReplicas, 1);
});

test('a Value metric sizes by ready replicas', () => {
  const vspec: MetricSpec = { name: 's0-redis-q', targetType: 'Value', target: 5 };
  const d = decideScaledObject({
    so: makeSo(),
    specs: [[vspec]],
    readings: [read(20)],
    currentReplicas: 3,
    readyReplicas: 3,
    now: T0,
  });
  assert.equal(d.desiredReplicas, 6); // 3 × 20/5 = 12, legacy scale-up limit max(2 × 3, 4) = 6
  assert.ok(d.reasons.some((r) => /ratio 4 × 3 ready replicas → ceil\(12\) = 12/.test(r.message)));
});

test('state round-trips: the HPA history from one round stabilizes the next', () => {
  const a = decide({ so: makeSo(), readings: [read(80)], currentReplicas: 8 });
  const b = decide({
    so: makeSo(),
    readings: [read(10)],
    currentReplicas: 8,
    now: T0 + 15 * S,
    state: a.state,
  });
  assert.equal(b.desiredReplicas, 8);
  assert.ok(b.reasons.some((r) => r.code === TIDE.ScaleDownStabilized));
});

test('a round that changes nothing hands back the same state object; one that does, a new one', () => {
  const so = makeSo({});
  const at = (now: number, value: number, state?: ScaledObjectState) =>
    decideScaledObject({
      so,
      specs: [[spec0]],
      readings: [read(value)],
      currentReplicas: 0,
      now,
      ...(state ? { state } : {}),
    });
  const first = at(T0, 0);
  const idle = at(T0 + S, 0, first.state);
  assert.equal(idle.state, first.state, 'idle at zero: the same object');
  const active = at(T0 + 2 * S, 5, idle.state);
  assert.notEqual(active.state, idle.state);
  assert.equal(active.state.lastActiveTime, T0 + 2 * S);
  const again = at(T0 + 3 * S, 5, active.state);
  assert.notEqual(again.state, active.state, 'lastActiveTime moved on');
  assert.equal(again.state.lastActiveTime, T0 + 3 * S);
});

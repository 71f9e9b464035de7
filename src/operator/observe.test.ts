import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reason, TIDE } from '../engine/reasons.js';
import { emptySet } from '../manifests/load.js';
import type { DecisionRecord, RoundObservation } from '../observe/types.js';
import { OperatorObservers, sameSubstance } from './observe.js';

const record = (at: string, decided: number, value: number): DecisionRecord => ({
  at,
  current: 0,
  decided,
  isActive: decided > 0,
  triggers: [{ index: 0, type: 'redis', metricName: 's0-redis-q', value, active: value > 0 }],
  reasons: [reason(TIDE.MetricReplicas, `value ${value} -> ${decided}`)],
});
const round = (r: DecisionRecord): RoundObservation => ({
  kind: 'ScaledObject',
  namespace: 'default',
  name: 'worker',
  record: r,
  readings: [],
  durationMs: 1,
});
const q = (extra = '') =>
  new URLSearchParams(`kind=ScaledObject&namespace=default&name=worker${extra}`);

test('repeated decisions are stored once; the newest says when it was last made', () => {
  const o = new OperatorObservers({ status: () => [], registered: () => emptySet() });
  o.record(round(record('2026-01-01T00:00:00.000Z', 0, 0)));
  o.record(round(record('2026-01-01T00:00:01.000Z', 0, 0)));
  o.record(round(record('2026-01-01T00:00:02.000Z', 3, 3)));
  o.record(round(record('2026-01-01T00:00:03.000Z', 3, 3)));
  o.record(round(record('2026-01-01T00:00:04.000Z', 3, 3)));
  const now = o.decisions(q());
  assert.deepEqual(
    now.records.map((r) => [r.at, r.decided]),
    [
      ['2026-01-01T00:00:00.000Z', 0],
      ['2026-01-01T00:00:04.000Z', 3],
    ],
  );
  // In between: the decision in force then, with the time it was first made.
  const then = o.decisions(q('&at=2026-01-01T00:00:01.500Z'));
  assert.deepEqual(
    then.records.map((r) => [r.at, r.decided]),
    [['2026-01-01T00:00:00.000Z', 0]],
  );
});

const bad = [
  {
    name: 'an unknown kind',
    query: 'kind=Pod&name=x',
    message: /kind must be ScaledObject or ScaledJob/,
  },
  { name: 'no name', query: 'kind=ScaledJob', message: /name is required/ },
  { name: 'a bad time', query: 'kind=ScaledJob&name=x&at=yesterday', message: /at must be/ },
];
for (const c of bad) {
  test(`/decisions rejects ${c.name}`, () => {
    const o = new OperatorObservers({ status: () => [], registered: () => emptySet() });
    assert.throws(() => o.decisions(new URLSearchParams(c.query)), c.message);
  });
}

test('the decision rings share one budget: at 10,000 objects each keeps its last 5 changes', () => {
  const o = new OperatorObservers({ status: () => [], registered: () => emptySet() });
  for (let i = 0; i < 10_000; i++)
    o.record({ ...round(record('2026-01-01T00:00:00.000Z', 1, 1)), name: `w${i}` });
  // Each round of w0 changes its reading, so each is stored, and its ring keeps the newest 5.
  for (let v = 2; v <= 20; v++)
    o.record({
      ...round(record(`2026-01-01T00:00:${String(v).padStart(2, '0')}.000Z`, v, v)),
      name: 'w0',
    });
  assert.equal(
    o.decisionLog.capacityOf({ kind: 'ScaledObject', namespace: 'default', name: 'w0' }),
    5,
  );
  const kept = o.decisions(new URLSearchParams('kind=ScaledObject&namespace=default&name=w0'));
  assert.deepEqual(
    kept.records.map((r) => r.decided),
    [16, 17, 18, 19, 20],
  );
});

test('a record differs in substance by replicas, activity, a trigger value or error, or a reason', () => {
  const base = record('2026-01-01T00:00:00.000Z', 2, 7);
  const later = { ...base, at: '2026-01-01T00:09:00.000Z' };
  assert.equal(sameSubstance(base, later), true, 'the time alone is no change');
  const t0 = base.triggers[0]!;
  const changes: DecisionRecord[] = [
    { ...base, current: 1 },
    { ...base, decided: 3 },
    { ...base, isActive: false },
    { ...base, triggers: [{ ...t0, value: 8 }] },
    { ...base, triggers: [{ ...t0, active: false }] },
    { ...base, triggers: [{ ...t0, error: 'connection refused' }] },
    { ...base, triggers: [t0, t0] },
    { ...base, reasons: [reason(TIDE.MetricReplicas, 'value 7 -> 3')] },
    { ...base, reasons: [] },
  ];
  for (const c of changes) assert.equal(sameSubstance(base, c), false, JSON.stringify(c));
});

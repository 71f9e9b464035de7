import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reason, TIDE } from '../engine/reasons.js';
import { emptySet } from '../manifests/load.js';
import type { DecisionRecord, RoundObservation } from '../observe/types.js';
import { OperatorObservers } from './observe.js';

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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reason, TIDE } from '../engine/reasons.js';
import { DecisionRing, summarizeReasons, type DecisionRecord } from './decision-log.js';

const record = (decided: number): DecisionRecord => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, decided)).toISOString(),
  current: 0,
  decided,
  isActive: decided > 0,
  triggers: [],
  reasons: [],
});

test('the ring keeps the newest records up to its capacity', () => {
  const ring = new DecisionRing(3);
  for (let i = 1; i <= 5; i++) ring.push(record(i));
  assert.deepEqual(
    ring.all().map((r) => r.decided),
    [3, 4, 5],
  );
  assert.equal(ring.last()?.decided, 5);
});

test('shrinking the capacity drops the oldest at the next push; it never goes below 1', () => {
  const ring = new DecisionRing(4);
  for (let i = 1; i <= 4; i++) ring.push(record(i));
  ring.capacity = 2;
  assert.equal(ring.all().length, 4);
  ring.push(record(5));
  assert.deepEqual(
    ring.all().map((r) => r.decided),
    [4, 5],
  );
  ring.capacity = 0;
  assert.equal(ring.capacity, 1);
  assert.equal(new DecisionRing(-3).capacity, 1);
  assert.equal(new DecisionRing().last(), undefined);
});

test('summarizeReasons: the last reasons, joined', () => {
  const rs = [
    reason(TIDE.JobQueue, 'first'),
    reason(TIDE.JobQueue, 'second'),
    reason(TIDE.Unchanged, 'third'),
  ];
  assert.equal(summarizeReasons(rs), 'second; third');
  assert.equal(summarizeReasons(rs, 1), 'third');
  assert.equal(summarizeReasons([]), '');
});

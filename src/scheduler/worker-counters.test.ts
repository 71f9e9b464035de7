import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerTotals } from './worker-counters.js';

const w = (id: string, done: number, busyMs: number, running = 0) => ({
  id,
  done,
  busyMs,
  running,
});

test('totals only grow: a worker that leaves takes nothing back, a new one adds what it did', () => {
  const t = new WorkerTotals();
  assert.deepEqual(t.add([w('a', 10, 50_000, 1), w('b', 4, 20_000, 1)]), {
    inFlight: 2,
    completed: 14,
    busySeconds: 70,
  });
  // b left (scale-in) while a finished 3 more; c started and finished 2.
  assert.deepEqual(t.add([w('a', 13, 65_000), w('c', 2, 9_000, 1)]), {
    inFlight: 1,
    completed: 19,
    busySeconds: 94,
  });
  // A restarted worker comes back under a new id from 0; the old id is forgotten.
  assert.deepEqual(t.add([w('a2', 1, 5_000), w('c', 2, 9_000)]), {
    inFlight: 0,
    completed: 20,
    busySeconds: 99,
  });
});

test('busy time is per replica: a worker with 4 task slots busy 20 slot-seconds was busy 5 s', () => {
  const t = new WorkerTotals();
  t.add([{ ...w('a', 0, 0), concurrency: 4 }]);
  // 8 tasks of 2.5 s on 4 slots: 20 slot-seconds, 5 s of the replica, μ = 8 / 5 = 1.6 a second.
  assert.deepEqual(t.add([{ ...w('a', 8, 20_000, 4), concurrency: 4 }]), {
    inFlight: 4,
    completed: 8,
    busySeconds: 5,
  });
});

test('in flight counts the tasks a worker holds before it starts them (prefetched), not only the running ones', () => {
  const t = new WorkerTotals();
  assert.equal(
    t.add([
      { id: 'a', running: 1, reserved: 1, done: 0, busyMs: 0 },
      { id: 'b', running: 0, reserved: 1, done: 0, busyMs: 0 },
    ]).inFlight,
    3,
  );
});

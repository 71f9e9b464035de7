import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackgroundQueue } from './background.js';

test('at most `limit` tasks run at once, in the order they were queued, and idle() waits for all', async () => {
  const q = new BackgroundQueue(3);
  let running = 0;
  let most = 0;
  const done: number[] = [];
  for (let i = 0; i < 2000; i++) {
    q.push(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      done.push(i);
      if (i % 7 === 0) throw new Error('a failing task does not stop the queue');
    });
  }
  assert.equal(running, 3, 'the first three start at once');
  assert.equal(q.waiting, 1997);
  await q.idle();
  assert.equal(most, 3);
  assert.deepEqual(
    done,
    Array.from({ length: 2000 }, (_, i) => i),
  );
  assert.equal(q.waiting, 0);
  await q.idle(); // nothing left: resolves at once
});

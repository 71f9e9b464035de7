import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission } from './admission.js';

test('admission: at most `limit` at once, in arrival order, through a long queue', async () => {
  const a = new Admission(4);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const n = 20_000;
  const all: Promise<number>[] = [];
  for (let i = 0; i < n; i++)
    all.push(
      a.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await new Promise((r) => setImmediate(r));
        running--;
        return i;
      }),
    );
  assert.equal(a.waiting, n - 4, 'the first four are admitted, the rest wait for a place');
  const results = await Promise.all(all);
  assert.equal(most, 4);
  assert.deepEqual(results, [...Array(n).keys()]);
  assert.deepEqual(order, [...Array(n).keys()], 'admitted in the order they came');
  assert.equal(a.waiting, 0);
});

test('admission: a failing reconcile frees its place', async () => {
  const a = new Admission(1);
  await assert.rejects(
    a.run(() => Promise.reject(new Error('bad manifest'))),
    /bad manifest/,
  );
  assert.equal(await a.run(() => Promise.resolve('next')), 'next');
  assert.equal(a.waiting, 0);
});

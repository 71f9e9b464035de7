import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, KUBELET_RESTART_BACKOFF } from './backoff.js';

test('kubelet backoff doubles from 10 s and caps at 5 min', () => {
  const b = new Backoff(KUBELET_RESTART_BACKOFF);
  const delays = Array.from({ length: 8 }, () => b.next(1000));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('kubelet backoff starts again at 10 s after a run of 10 min', () => {
  const b = new Backoff(KUBELET_RESTART_BACKOFF);
  b.next(0);
  b.next(0);
  assert.equal(b.next(599_999), 40_000);
  assert.equal(b.next(600_000), 10_000);
});

test('backoff without resetAfterMs never forgets', () => {
  const b = new Backoff({ initialMs: 5, maxMs: 100 });
  b.next(0);
  assert.equal(b.next(Number.MAX_SAFE_INTEGER), 10);
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { ReadDeadlines } from './deadline.js';

const until = async (ok: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a read past its deadline is aborted with a TimeoutError; one that ended is not', async () => {
  const outer = new AbortController();
  const d = new ReadDeadlines();
  const ended = d.begin(outer.signal, 50);
  d.end();
  // Reused while nothing aborted it and nothing was left attached to it.
  const slow = d.begin(outer.signal, 50);
  assert.equal(slow, ended, 'the same signal serves the next read');
  await until(() => slow.aborted, 2_000);
  assert.equal((slow.reason as DOMException).name, 'TimeoutError');
  d.end();
  const next = d.begin(outer.signal, 5_000);
  assert.notEqual(next, slow, 'an aborted signal is never handed out again');
  assert.equal(next.aborted, false);
  d.close();
});

test('a listener left on the signal gets the next read a fresh signal', () => {
  const outer = new AbortController();
  const d = new ReadDeadlines();
  const first = d.begin(outer.signal, 5_000);
  first.addEventListener('abort', () => undefined); // a library that never removes it
  d.end();
  const second = d.begin(outer.signal, 5_000);
  assert.notEqual(second, first);
  assert.equal(getEventListeners(second, 'abort').length, 0);
  d.end();
  d.close();
  assert.equal(getEventListeners(outer.signal, 'abort').length, 0, 'close detaches from outer');
});

test('the outer signal aborts the read in flight, once per controller, not per read', () => {
  const outer = new AbortController();
  const d = new ReadDeadlines();
  for (let i = 0; i < 20; i++) {
    d.begin(outer.signal, 5_000);
    d.end();
  }
  assert.equal(getEventListeners(outer.signal, 'abort').length, 1);
  const s = d.begin(outer.signal, 5_000);
  outer.abort(new Error('loop stopped'));
  assert.equal(s.aborted, true);
  assert.equal((s.reason as Error).message, 'loop stopped');
  d.end();
  const after = d.begin(outer.signal, 5_000);
  assert.equal(after.aborted, true, 'an aborted outer gives an aborted signal');
});

test("a clean controller serves another trigger's next read; one aborted by its deadline never does", async () => {
  const outer = new AbortController();
  const a = new ReadDeadlines();
  const b = new ReadDeadlines();
  const first = a.begin(outer.signal, 5_000);
  a.end();
  const borrowed = b.begin(outer.signal, 5_000);
  assert.equal(borrowed, first, 'between reads a trigger holds no controller of its own');
  const slow = a.begin(outer.signal, 50);
  assert.notEqual(slow, borrowed, 'two reads in flight never share a signal');
  await until(() => slow.aborted, 2_000);
  assert.equal(borrowed.aborted, false, "one read's deadline does not touch the other's");
  a.end();
  b.end();
  const next = [a.begin(outer.signal, 5_000), b.begin(outer.signal, 5_000)];
  assert.ok(!next.includes(slow), 'the aborted signal is not handed out again');
  assert.ok(next.every((s) => !s.aborted));
  a.close();
  b.close();
  assert.equal(getEventListeners(outer.signal, 'abort').length, 0);
});

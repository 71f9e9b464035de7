import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { exposition } from './exposition.js';

function registry(series: number): Registry {
  const registry = new Registry();
  const registers = [registry];
  const g = new Gauge({
    name: 'g',
    help: 'a gauge\\ with "quotes"\nand a newline',
    labelNames: ['a', 'b'],
    registers,
  });
  g.set({ a: 'x"y', b: 'back\\slash\nnew' }, 1.5);
  g.set({ a: 'nan', b: '' }, NaN);
  g.set({ a: 'inf', b: '1' }, Infinity);
  g.set({ a: '-inf', b: '1' }, -Infinity);
  new Gauge({ name: 'plain', help: 'no labels', registers }).set(3);
  new Gauge({ name: 'empty', help: 'never set', labelNames: ['a'], registers });
  new Counter({ name: 'c_total', help: 'a counter', registers }).inc(2);
  new Gauge({
    name: 'collected',
    help: 'set at scrape time',
    labelNames: ['k'],
    registers,
    collect() {
      this.reset();
      this.set({ k: 'v' }, 7);
    },
  });
  const h = new Histogram({
    name: 'h_seconds',
    help: 'a histogram',
    labelNames: ['ns', 'name'],
    buckets: [0.01, 0.1, 1],
    registers,
  });
  for (let i = 0; i < series; i++) {
    h.observe({ ns: 'bench', name: `so${i}` }, (i % 7) / 10);
    h.observe({ ns: 'bench', name: `so${i}` }, 5);
  }
  new Histogram({ name: 'h_plain', help: 'no labels', buckets: [1], registers }).observe(0.5);
  return registry;
}

test("exposition writes prom-client's text byte for byte (escaping, NaN/Inf, histograms, collect)", async () => {
  const r = registry(3);
  const want = await r.metrics();
  assert.equal(await exposition(r), want);
  // Twice: the second run takes every label string from the cache.
  assert.equal(await exposition(r), want);
});

test('a large exposition yields to the event loop while it is written', async () => {
  const r = registry(20_000);
  let turns = 0;
  let on = true;
  const tick = () => {
    turns++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const text = await exposition(r, 1);
  on = false;
  assert.ok(
    turns >= 3,
    `the event loop turned ${turns} times while ${text.length} bytes were written`,
  );
  assert.equal(text, await r.metrics());
});

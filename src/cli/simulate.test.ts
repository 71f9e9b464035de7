import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulate } from './simulate.js';

// A usage error prints one line naming the flag and exits 1; nothing is read first.
test('a consume rate that is not positive is refused before anything is loaded', async (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => lines.push(args.join(' ')));
  const code = await runSimulate(['does-not-exist.yaml'], {
    trace: 'does-not-exist.csv',
    consumeRate: 0,
  });
  assert.equal(code, 1);
  assert.deepEqual(lines, ['tide simulate: --consume-rate: expected items per second > 0, got 0']);
});

test('a trace that cannot be read is reported with its path, exit 1', async (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => lines.push(args.join(' ')));
  const code = await runSimulate([], { trace: '/nonexistent/tide-trace.csv' });
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^tide simulate: .*\/nonexistent\/tide-trace\.csv/);
});

test('a trace of arrivals runs the queue model without --compare: the pool scales and the figures follow', async (t) => {
  const lines: string[] = [];
  t.mock.method(console, 'log', (...args: unknown[]) => lines.push(args.join(' ')));
  const root = new URL('../../', import.meta.url).pathname;
  const code = await runSimulate([`${root}examples/celery-redis`], {
    trace: `${root}examples/traces/celery-redis-burst.csv`,
  });
  assert.equal(code, 0);
  assert.ok(
    lines.some((l) => /replicas 0 -> 1 /.test(l)),
    'the first arrivals wake the pool from zero',
  );
  const row = lines.find((l) => /ScaledObject default\/redis-scaledobject\s+\d+/.test(l));
  assert.ok(row, `a queue row after the steps:\n${lines.slice(-4).join('\n')}`);
  assert.match(row, /\s600\s+600\s+0\s/, 'all 600 items served');
});

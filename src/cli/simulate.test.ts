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

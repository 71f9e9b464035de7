import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricName, normalizeString } from './metric-name.js';

const cases = [
  { name: 'prefixes the trigger index', index: 0, raw: 'redis-jobs', want: 's0-redis-jobs' },
  {
    name: 'replaces / . : % ( ) with dashes like KEDA NormalizeString',
    index: 3,
    raw: 'a/b.c:d%e(f)g',
    want: 's3-a-b-c-d-e-f-g',
  },
  { name: 'keeps other characters', index: 1, raw: 'redis-Jobs_x', want: 's1-redis-Jobs_x' },
];
for (const c of cases) test(c.name, () => assert.equal(metricName(c.index, c.raw), c.want));

test('normalizeString leaves an already clean name unchanged', () => {
  assert.equal(normalizeString('cron-Etc-UTC-0x-10x'), 'cron-Etc-UTC-0x-10x');
});

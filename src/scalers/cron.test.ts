import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { SharedConnectionPool } from './core/pool.js';
import { cron, cronNamePart, isInWindow } from './cron.js';
import type { ParseResult, ScalerContext } from './core/types.js';

function parse(md: Record<string, string>) {
  return cron.parse({ metadata: md, resolvedEnv: {}, authParams: {}, triggerIndex: 2 });
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}
const office = {
  timezone: 'Europe/Paris',
  start: '0 9 * * 1-5',
  end: '0 18 * * 1-5',
  desiredReplicas: '10',
};

const invalid = [
  {
    name: 'an unknown time zone is rejected',
    md: { ...office, timezone: 'Mars/Base' },
    want: ['metadata.timezone: must be an IANA time zone like "Europe/Paris", got "Mars/Base"'],
  },
  {
    name: 'start equal to end is rejected',
    md: { ...office, end: office.start },
    want: ['metadata.end: must differ from start (the window would be empty)'],
  },
  {
    name: 'desiredReplicas 0 is rejected',
    md: { ...office, desiredReplicas: '0' },
    want: ['metadata.desiredReplicas: must be a non-zero integer, got "0"'],
  },
  {
    name: 'a six-field expression is rejected',
    md: { ...office, start: '0 0 9 * * *' },
    want: [
      'metadata.start: must be a cron expression with 5 fields (minute hour day-of-month month day-of-week), got "0 0 9 * * *"',
    ],
  },
  {
    name: 'an out-of-range minute is rejected',
    md: { ...office, end: '61 18 * * *' },
    want: [
      'metadata.end: is not a valid cron expression (Constraint error, got value 61 expected range 0-59), got "61 18 * * *"',
    ],
  },
];
for (const c of invalid) test(c.name, () => assert.deepEqual(issues(parse(c.md)), c.want));

const windows = [
  {
    name: 'inside office hours on a Monday (Paris time)',
    at: '2026-11-23T10:00:00Z',
    active: true,
  },
  { name: 'before the window opens', at: '2026-11-23T07:59:00Z', active: false },
  {
    name: 'exactly at start (Paris 09:00 = 08:00Z) the window is open',
    at: '2026-11-23T08:00:00Z',
    active: true,
  },
  { name: 'exactly at end the window is closed', at: '2026-11-23T17:00:00Z', active: false },
  { name: 'on a Saturday', at: '2026-11-28T10:00:00Z', active: false },
];
for (const c of windows) {
  test(`cron window: ${c.name}`, () => {
    assert.equal(
      isInWindow(
        { timezone: 'Europe/Paris', start: office.start, end: office.end },
        Date.parse(c.at),
      ),
      c.active,
    );
  });
}

test('the scaler reports desiredReplicas inside the window and 0 outside, against a target of 1', async () => {
  const r = parse(office);
  assert.ok(r.ok);
  let now = Date.parse('2026-11-23T10:00:00Z');
  const ctx: ScalerContext = {
    triggerIndex: 2,
    triggerRef: 'ScaledObject default/so trigger 2 (cron)',
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'AverageValue',
    now: () => now,
  };
  const s = await cron.create(r.meta, ctx);
  assert.deepEqual(s.metricSpecs, [
    { name: 's2-cron-Europe-Paris-09xx1-5-018xx1-5', targetType: 'AverageValue', target: 1 },
  ]);
  const signal = new AbortController().signal;
  assert.deepEqual(await s.getMetricsAndActivity(signal), {
    metrics: [{ name: 's2-cron-Europe-Paris-09xx1-5-018xx1-5', value: 10 }],
    isActive: true,
  });
  now = Date.parse('2026-11-23T20:00:00Z');
  assert.deepEqual(await s.getMetricsAndActivity(signal), {
    metrics: [{ name: 's2-cron-Europe-Paris-09xx1-5-018xx1-5', value: 0 }],
    isActive: false,
  });
  await s.close();
  await s.close();
});

test('cron name parts replace * / ? , like KEDA parseCronTimeFormat', () => {
  assert.equal(cronNamePart('*/5 9,17 ? * *'), 'xSl59Cm17Qmxx');
});

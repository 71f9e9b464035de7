import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reason, KEDA, TIDE } from '../../engine/reasons.js';
import type { ObjectStatus } from '../../scheduler/status.js';
import { conditionsOf, toDashboardObject } from './conditions.js';
import type { DecisionRecord } from './source.js';

const status: ObjectStatus = {
  kind: 'ScaledObject',
  namespace: 'default',
  name: 'w',
  triggers: [],
};
const rec = (over: Partial<DecisionRecord>): DecisionRecord => ({
  at: '2026-01-01T00:00:00Z',
  current: 1,
  decided: 1,
  isActive: true,
  triggers: [{ index: 0, type: 'redis', value: 3, target: 5 }],
  reasons: [],
  ...over,
});

const cases: {
  name: string;
  status?: Partial<ObjectStatus>;
  last?: DecisionRecord;
  want: ReturnType<typeof conditionsOf>;
}[] = [
  {
    name: 'before the first round: Ready unknown, not active',
    want: { ready: 'unknown', active: false, paused: false, fallback: false },
  },
  {
    name: 'an object that could not start is not ready',
    status: { error: 'spec.scaleTargetRef: not running' },
    want: { ready: false, active: false, paused: false, fallback: false },
  },
  {
    name: 'a healthy active round',
    last: rec({}),
    want: { ready: true, active: true, paused: false, fallback: false },
  },
  {
    name: 'every trigger failing is not ready, and fallback shows',
    last: rec({
      isActive: false,
      triggers: [{ index: 0, type: 'redis', error: 'connection refused' }],
      reasons: [reason(KEDA.FallbackActivated, 'fallback to 2 replicas')],
    }),
    want: { ready: false, active: false, paused: false, fallback: true },
  },
  {
    name: 'some triggers failing is unknown',
    last: rec({
      triggers: [
        { index: 0, type: 'redis', value: 3 },
        { index: 1, type: 'cron', error: 'bad' },
      ],
      reasons: [reason(TIDE.MetricErrorHold, 'held')],
    }),
    want: { ready: 'unknown', active: true, paused: false, fallback: false },
  },
  {
    name: 'paused from the status',
    status: { paused: true },
    last: rec({ reasons: [reason(KEDA.ScaledObjectPaused, 'paused at 2')] }),
    want: { ready: true, active: true, paused: true, fallback: false },
  },
];
for (const c of cases)
  test(`conditions: ${c.name}`, () => {
    assert.deepEqual(conditionsOf({ ...status, ...c.status }, c.last), c.want);
  });

test('a ScaledJob counts unfinished jobs and keeps only the newest jobs', () => {
  const jobs = Array.from({ length: 60 }, (_, i) => ({
    name: `j-${i}`,
    state: i < 55 ? 'Succeeded' : i < 58 ? 'Running' : 'Pending',
    attempts: 1,
  }));
  const o = toDashboardObject({ ...status, kind: 'ScaledJob', jobs }, undefined, {
    hasLogs: true,
    maxJobs: 10,
  });
  assert.equal(o.key, 'ScaledJob/default/w');
  assert.equal(o.jobsRunning, 5);
  assert.deepEqual(
    o.jobs?.map((j) => j.name),
    jobs.slice(-10).map((j) => j.name),
  );
});

test('object keys parse back, and nothing that could leave the logs folder does', async () => {
  const { parseObjectKey } = await import('./source.js');
  assert.deepEqual(parseObjectKey('ScaledObject/default/celery-worker'), {
    kind: 'ScaledObject',
    namespace: 'default',
    name: 'celery-worker',
  });
  assert.deepEqual(parseObjectKey('ScaledJob/media/x.y-1')?.name, 'x.y-1');
  for (const bad of [
    'ScaledJob/../..',
    'ScaledJob/media/..',
    'ScaledJob/a/b/c',
    'Deployment/default/w',
    'ScaledJob/default/a..b',
    'ScaledJob/default/A',
    'ScaledJob/default/',
  ])
    assert.equal(parseObjectKey(bad), undefined, bad);
});

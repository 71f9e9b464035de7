import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObjectStatus, TideStatus } from '../scheduler/status.js';
import { renderStatusTable } from './status-table.js';

function status(objects: ObjectStatus[]): TideStatus {
  return { pid: 1, startedAt: '', manifests: [], objects, rejected: [] };
}

const so = (triggers: ObjectStatus['triggers']): ObjectStatus => ({
  kind: 'ScaledObject',
  namespace: 'default',
  name: 'worker',
  triggers,
  desiredReplicas: 2,
  runningReplicas: 2,
  lastReason:
    'trigger 0 (redis) failed: …; no metric could be read (s0-redis-celery): replicas stay 2',
});

test('a failing trigger is named under the table with since when, how many rounds and its error', () => {
  const text = renderStatusTable(
    status([
      so([
        {
          index: 0,
          type: 'redis',
          metricName: 's0-redis-celery',
          error:
            'ScaledObject default/worker trigger 0 (redis): cannot connect to Redis at 127.0.0.1:6399: connect ECONNREFUSED',
          failingSince: '2026-01-02T10:11:12.000Z',
          failedRounds: 12,
        },
      ]),
    ]),
  );
  assert.match(text, /redis: ERROR/);
  assert.ok(
    text.includes(
      'ScaledObject default/worker trigger 0 (redis) failing since 10:11:12 (12 rounds): cannot connect to Redis at 127.0.0.1:6399: connect ECONNREFUSED',
    ),
    text,
  );
});

test('a trigger without push wake-ups says "polling only" in its cell and why below', () => {
  const text = renderStatusTable(
    status([
      so([
        {
          index: 0,
          type: 'redis',
          name: 'queue',
          value: 3,
          target: 5,
          active: true,
          push: 'polling only',
          pushReason: 'cannot enable keyspace notifications: NOPERM',
        },
      ]),
    ]),
  );
  assert.match(text, /queue 3\/5 \(polling only\)/);
  assert.ok(
    text.includes(
      'ScaledObject default/worker trigger 0 (queue) polling only (no push wake-ups): cannot enable keyspace notifications: NOPERM',
    ),
    text,
  );
});

test('healthy triggers add no line under the table', () => {
  const text = renderStatusTable(
    status([so([{ index: 0, type: 'redis', value: 3, target: 5, active: true, push: 'on' }])]),
  );
  assert.equal(text.split('\n').length, 2, text);
});

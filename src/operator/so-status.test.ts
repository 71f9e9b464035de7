import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideScaledObject } from '../engine/index.js';
import { makeSo, read, spec0, T0 } from '../engine/test-fixtures.js';
import { checkFailedStatus, decisionStatus } from './so-status.js';

const gvkr = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' };

test('an active round writes KEDA status: conditions, lastActiveTime, metric names, target kind', () => {
  const so = makeSo({
    triggers: [
      {
        type: 'redis',
        metadata: { listName: 'q', listLength: '10' },
        authenticationRef: { name: 'redis-auth', kind: 'TriggerAuthentication' },
      },
    ],
  });
  const decision = decideScaledObject({
    so,
    specs: [[spec0]],
    readings: [read(25)],
    currentReplicas: 0,
    now: T0,
  });
  const s = decisionStatus({
    so,
    decision,
    gvkr,
    originalReplicaCount: 0,
    metricNames: ['s0-redis-q'],
  });
  assert.equal(s.scaleTargetKind, 'apps/v1.Deployment');
  assert.equal(s.lastActiveTime, '2023-11-14T22:13:20Z');
  assert.deepEqual(s.externalMetricNames, ['s0-redis-q']);
  assert.equal(s.triggersTypes, 'redis');
  assert.equal(s.authenticationsTypes, 'redis-auth');
  assert.deepEqual(
    s.conditions.map((c) => [c.type, c.status]),
    [
      ['Ready', 'True'],
      ['Active', 'True'],
      ['Fallback', 'False'],
      ['Paused', 'False'],
    ],
  );
});

test('a ScaledObject that fails its checks gets Ready=False ScaledObjectCheckFailed with the message', () => {
  const s = checkFailedStatus(makeSo(), undefined, 'spec.triggers[0].metadata.listLength: bad');
  const ready = s.conditions.find((c) => c.type === 'Ready');
  assert.deepEqual(ready, {
    type: 'Ready',
    status: 'False',
    reason: 'ScaledObjectCheckFailed',
    message: 'spec.triggers[0].metadata.listLength: bad',
  });
  assert.equal(s.conditions.find((c) => c.type === 'Active')?.status, 'Unknown');
});

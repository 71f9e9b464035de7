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

test('Ready=False because triggers fail says what failed (tide has no HPA to hold the detail)', () => {
  const so = makeSo({
    minReplicaCount: 1,
    triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }],
  });
  const error =
    'ScaledObject default/so trigger 0 (cpu): failed to get cpu utilization: missing request for cpu in container worker of Pod web-1';
  const decision = decideScaledObject({
    so,
    specs: [[{ name: 's0-cpu', targetType: 'Utilization', target: 50 }]],
    readings: [{ ok: false, error }],
    currentReplicas: 2,
    now: T0,
  });
  const ready = decisionStatus({
    so,
    decision,
    gvkr,
    originalReplicaCount: 2,
    metricNames: [],
  }).conditions.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, 'TriggerError');
  assert.equal(
    ready?.message,
    `Triggers defined in ScaledObject are not working correctly: ${error}`,
  );
  assert.equal(decision.desiredReplicas, 2, 'replicas hold');
});

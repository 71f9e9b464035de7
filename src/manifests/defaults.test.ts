import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cooldownPeriodSeconds,
  failedJobsHistoryLimit,
  hpaName,
  jobBackoffLimit,
  jobMaxReplicaCount,
  jobMinReplicaCount,
  jobRestartPolicy,
  maxReplicas,
  minReplicas,
  pollingIntervalSeconds,
  scaleTargetKind,
  successfulJobsHistoryLimit,
  terminationGracePeriodSeconds,
  tideJobCaps,
} from './defaults.js';
import { load, scaledJobDoc, scaledObjectDoc } from './test-manifests.js';

function so(spec: Record<string, unknown> = {}) {
  const o = load(scaledObjectDoc(spec)).set.scaledObjects[0];
  assert.ok(o);
  return o;
}
function sj(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) {
  const o = load(scaledJobDoc(spec, meta)).set.scaledJobs[0];
  assert.ok(o);
  return o;
}

test('ScaledObject defaults are KEDA defaults', () => {
  const o = so();
  assert.deepEqual(
    [
      pollingIntervalSeconds(o),
      cooldownPeriodSeconds(o),
      minReplicas(o),
      maxReplicas(o),
      hpaName(o),
    ],
    [30, 300, 0, 100, 'keda-hpa-so'],
  );
  assert.deepEqual(scaleTargetKind(o), { apiVersion: 'apps/v1', kind: 'Deployment' });
});

test('set values win over defaults', () => {
  const o = so({
    pollingInterval: 15,
    cooldownPeriod: 200,
    maxReplicaCount: 10,
    advanced: { horizontalPodAutoscalerConfig: { name: 'mine' } },
  });
  assert.deepEqual(
    [pollingIntervalSeconds(o), cooldownPeriodSeconds(o), maxReplicas(o), hpaName(o)],
    [15, 200, 10, 'mine'],
  );
});

const jobBounds: { name: string; spec: Record<string, unknown>; min: number; max: number }[] = [
  { name: 'unset min and max give 0 and 100', spec: {}, min: 0, max: 100 },
  {
    name: 'max 10 min 1 gives max − min = 9',
    spec: { maxReplicaCount: 10, minReplicaCount: 1 },
    min: 1,
    max: 9,
  },
  {
    name: 'max unset min 1 gives 100 (min not subtracted)',
    spec: { minReplicaCount: 1 },
    min: 1,
    max: 100,
  },
  {
    name: 'min above max clamps min to max and max stays max',
    spec: { maxReplicaCount: 3, minReplicaCount: 5 },
    min: 3,
    max: 3,
  },
  { name: 'max 5 alone gives 5', spec: { maxReplicaCount: 5 }, min: 0, max: 5 },
];
for (const c of jobBounds) {
  test(`ScaledJob MinReplicaCount()/MaxReplicaCount(): ${c.name}`, () => {
    const o = sj(c.spec);
    assert.equal(jobMinReplicaCount(o), c.min);
    assert.equal(jobMaxReplicaCount(o), c.max);
  });
}

test('ScaledJob job defaults: history 100/100, OnFailure, backoffLimit 6, grace 30 s', () => {
  const o = sj();
  assert.deepEqual(
    [
      successfulJobsHistoryLimit(o),
      failedJobsHistoryLimit(o),
      jobRestartPolicy(o),
      jobBackoffLimit(o),
      terminationGracePeriodSeconds(o.spec.jobTargetRef.template.spec),
    ],
    [100, 100, 'OnFailure', 6, 30],
  );
});

test('tide job caps are read from annotations', () => {
  const o = sj(
    {},
    {
      annotations: {
        'autoscaling.tide.dev/max-jobs-per-round': '3',
        'autoscaling.tide.dev/max-running-jobs': '10',
      },
    },
  );
  assert.deepEqual(tideJobCaps(o), { maxJobsPerRound: 3, maxRunningJobs: 10 });
  assert.deepEqual(tideJobCaps(sj()), {});
});

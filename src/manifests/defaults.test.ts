import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectiveScaledJob,
  effectiveScaledObject,
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
  jobCaps,
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
      effectiveScaledObject(o).cooldownPeriod,
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
    [pollingIntervalSeconds(o), effectiveScaledObject(o).cooldownPeriod, maxReplicas(o), hpaName(o)],
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
  assert.deepEqual(jobCaps(o), { maxPerRound: 3, maxRunning: 10 });
  assert.deepEqual(jobCaps(sj()), {});
});

test('effectiveScaledObject applies every ScaledObject default once', () => {
  assert.deepEqual(effectiveScaledObject(so()), {
    pollingInterval: 30,
    cooldownPeriod: 300,
    initialCooldownPeriod: 0,
    minReplicaCount: 0,
    maxReplicaCount: 100,
    idleReplicaCount: undefined,
    hpaMinReplicas: 1,
    scaleTarget: 'Deployment default/worker',
  });
  const set = effectiveScaledObject(
    so({
      minReplicaCount: 2,
      maxReplicaCount: 7,
      idleReplicaCount: 0,
      initialCooldownPeriod: 60,
      scaleTargetRef: { name: 'api', kind: 'StatefulSet' },
    }),
  );
  assert.deepEqual(
    [set.minReplicaCount, set.maxReplicaCount, set.idleReplicaCount, set.hpaMinReplicas],
    [2, 7, 0, 2],
  );
  assert.equal(set.initialCooldownPeriod, 60);
  assert.equal(set.scaleTarget, 'StatefulSet default/api');
});

test('ScaledJob minReplicaCount 150 with no max: min stays 150 and max is the default 100 (KEDA MinReplicaCount clamps only against a set max)', () => {
  const e = effectiveScaledJob(sj({ minReplicaCount: 150 }));
  assert.equal(e.minReplicaCount, 150);
  assert.equal(e.maxReplicaCount, 100);
  const clamped = effectiveScaledJob(sj({ minReplicaCount: 150, maxReplicaCount: 20 }));
  assert.deepEqual([clamped.minReplicaCount, clamped.maxReplicaCount], [20, 20]);
});

test('effectiveScaledJob applies every ScaledJob default once', () => {
  const e = effectiveScaledJob(sj());
  assert.deepEqual(e, {
    pollingInterval: 30,
    minReplicaCount: 0,
    maxReplicaCount: 100,
    successfulJobsHistoryLimit: 100,
    failedJobsHistoryLimit: 100,
    restartPolicy: 'OnFailure',
    backoffLimit: 6,
    jobCaps: {},
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainMs, workerOptionsFromEnv } from './worker-main.js';

const cases = [
  {
    name: 'a broker URL wins over REDIS_HOST',
    env: { CELERY_BROKER_URL: 'redis://b:1/2', REDIS_HOST: 'x' },
    want: { broker: 'redis://b:1/2' },
  },
  {
    name: 'REDIS_HOST with a port and REDIS_PASSWORD build the broker URL',
    env: { REDIS_HOST: 'redis.local:6380', REDIS_PASSWORD: 'p@ss' },
    want: { broker: 'redis://:p%40ss@redis.local:6380/0' },
  },
  {
    name: 'queues, concurrency, acks late and visibility timeout come from CELERY_* variables',
    env: {
      CELERY_QUEUES: 'a, b',
      CELERY_CONCURRENCY: '3',
      CELERY_ACKS_LATE: 'true',
      CELERY_VISIBILITY_TIMEOUT: '60',
    },
    want: {
      queues: ['a', 'b'],
      concurrency: 3,
      prefetch: 3,
      acksLate: true,
      visibilityTimeout: 60,
    },
  },
  {
    name: 'an empty or none result backend means results are not stored',
    env: { CELERY_RESULT_BACKEND: 'none' },
    want: { resultBackend: null },
  },
];
for (const c of cases) {
  test(c.name, () => {
    const o = workerOptionsFromEnv(c.env);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(o[k as keyof typeof o], v, k);
  });
}

test('a concurrency that is not a number is an error naming the variable', () => {
  assert.throws(
    () => workerOptionsFromEnv({ CELERY_CONCURRENCY: 'ten' }),
    /CELERY_CONCURRENCY: must be a non-negative integer, got "ten"/,
  );
});

const drains = [
  { name: 'nothing set: Kubernetes default grace 30 s minus a 3 s margin', env: {}, ms: 27_000 },
  {
    name: "tide up's replica grace wins: 10 s minus a 1 s margin",
    env: { TIDE_TERMINATION_GRACE_SECONDS: '10' },
    ms: 9_000,
  },
  {
    name: 'CELERY_SHUTDOWN_GRACE alone is taken as the pod grace',
    env: { CELERY_SHUTDOWN_GRACE: '60' },
    ms: 55_000,
  },
  {
    name: 'a shorter CELERY_SHUTDOWN_GRACE inside the replica grace is kept as it is',
    env: { TIDE_TERMINATION_GRACE_SECONDS: '30', CELERY_SHUTDOWN_GRACE: '10' },
    ms: 10_000,
  },
  {
    name: 'a CELERY_SHUTDOWN_GRACE as long as the replica grace is cut to leave the margin',
    env: { TIDE_TERMINATION_GRACE_SECONDS: '30', CELERY_SHUTDOWN_GRACE: '30' },
    ms: 27_000,
  },
  {
    name: 'a short grace keeps at least half a second of margin',
    env: { TIDE_TERMINATION_GRACE_SECONDS: '2' },
    ms: 1_500,
  },
  { name: 'a zero grace drains for zero', env: { TIDE_TERMINATION_GRACE_SECONDS: '0' }, ms: 0 },
];
for (const c of drains) test(`drain deadline: ${c.name}`, () => assert.equal(drainMs(c.env), c.ms));

test('the registry is on by default with HOSTNAME as the pod, and off with a TTL of 0', () => {
  assert.deepEqual(workerOptionsFromEnv({ HOSTNAME: 'celery-worker-abcde' }).registry, {
    ttlMs: 30_000,
    pod: 'celery-worker-abcde',
  });
  assert.equal(workerOptionsFromEnv({ CELERY_LIVENESS_TTL: '0' }).registry, false);
});

test('a grace that is not a number is an error naming the variable', () => {
  assert.throws(
    () => drainMs({ TIDE_TERMINATION_GRACE_SECONDS: 'soon' }),
    /TIDE_TERMINATION_GRACE_SECONDS: must be a non-negative number of seconds, got "soon"/,
  );
});

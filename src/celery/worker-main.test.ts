import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerOptionsFromEnv } from './worker-main.js';

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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainMs, workerOptionsFromEnv } from '../celery/worker-main.js';
import { workerEnv } from './celery-worker.js';

test('each flag sets the variable the worker reads, over the environment', () => {
  const env = workerEnv(
    {
      app: 'tasks.js',
      broker: 'redis://b:1/2',
      resultBackend: 'none',
      queues: 'a,b',
      concurrency: 3,
      prefetch: 0,
      acksLate: true,
      visibilityTimeout: 60,
      hostname: 'w1@host',
      loglevel: 'warning',
      shutdownGrace: 5,
      livenessTtl: 0,
    },
    { CELERY_QUEUES: 'from-env', CELERY_CONCURRENCY: '9', OTHER: 'kept' },
  );
  assert.equal(env.CELERY_TASKS, 'tasks.js');
  assert.equal(env.OTHER, 'kept');
  const o = workerOptionsFromEnv(env);
  assert.equal(o.broker, 'redis://b:1/2');
  assert.equal(o.resultBackend, null);
  assert.deepEqual(o.queues, ['a', 'b']);
  assert.equal(o.concurrency, 3);
  assert.equal(o.prefetch, 0);
  assert.equal(o.acksLate, true);
  assert.equal(o.visibilityTimeout, 60);
  assert.equal(o.hostname, 'w1@host');
  assert.equal(o.logInfo, false);
  assert.equal(o.graceMs, drainMs({ CELERY_SHUTDOWN_GRACE: '5' }));
  assert.equal(o.registry, false);
});

test('flags left out keep what the environment says', () => {
  const o = workerOptionsFromEnv(
    workerEnv({}, { CELERY_QUEUES: 'q1', CELERY_CONCURRENCY: '2', CELERY_ACKS_LATE: '1' }),
  );
  assert.deepEqual(o.queues, ['q1']);
  assert.equal(o.concurrency, 2);
  assert.equal(o.acksLate, true);
});

/**
 * A TS producer's tasks run on a real Python Celery 5.2 worker and the results come back to
 * the TS AsyncResult.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer, SEP, TaskFailedError } from '../../../src/celery/index.js';
import {
  requirePythonCelery,
  startPythonWorker,
  startRedis,
  stopChild,
  type Child,
  type PrivateRedis,
} from './support.js';

let redis: PrivateRedis;
let py: Child;
let producer: Producer;

before(async () => {
  requirePythonCelery();
  redis = await startRedis();
  // The peer ignores results unless RESULT_BACKEND is set.
  py = await startPythonWorker(redis, {
    node: 'py-ts2py-rb@localhost',
    env: { RESULT_BACKEND: `redis://127.0.0.1:${redis.port}/1` },
  });
  producer = new Producer({
    broker: redis.url,
    resultBackend: `redis://127.0.0.1:${redis.port}/1`,
  });
});

after(async () => {
  await producer?.close();
  if (py) await stopChild(py);
  await redis?.stop();
});

test('a task sent from TS runs on the Python worker and its result reaches AsyncResult.get', async () => {
  const r = await producer.sendTask<number>('tasks.add', [2, 3]);
  assert.equal(await r.get({ timeout: 30 }), 5);
  assert.equal(await r.state(), 'SUCCESS');
});

test('a failing Python task rejects get with RuntimeError and the remote traceback text', async () => {
  const r = await producer.sendTask('tasks.fail');
  const err = await r.get({ timeout: 30 }).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TaskFailedError);
  assert.equal(err.excType, 'RuntimeError');
  assert.deepEqual(err.excMessage, ['tasks.fail: intentional failure']);
  assert.match(
    err.traceback ?? '',
    /Traceback \(most recent call last\)[\s\S]*intentional failure/,
  );
});

test('a countdown task is run by Python no earlier than its ETA', async () => {
  const t0 = Date.now();
  const r = await producer.sendTask<number>('tasks.add', [1, 1], {}, { countdown: 1.5 });
  assert.equal(await r.get({ timeout: 30 }), 2);
  assert.ok(Date.now() - t0 >= 1400, `result after ${Date.now() - t0} ms`);
});

test('a priority 5 task is stored on the step-3 sub-list and Python still runs it', async () => {
  // Publish without a consumer looking first: check the key, then let Python take it.
  const env = await producer.sendTask<number>(
    'tasks.add',
    [4, 5],
    {},
    { priority: 5, queue: 'prio-only' },
  );
  assert.equal(await redis.client.llen(`prio-only${SEP}3`), 1);
  assert.equal(await redis.client.llen('prio-only'), 0);
  await redis.client.del(`prio-only${SEP}3`);
  const r = await producer.sendTask<number>('tasks.add', [4, 5], {}, { priority: 5 });
  assert.equal(await r.get({ timeout: 30 }), 9);
  assert.ok(env.id);
});

test('an already expired task is REVOKED by Python and get rejects', async () => {
  const r = await producer.sendTask(
    'tasks.add',
    [1, 2],
    {},
    { expires: new Date(Date.now() - 1000) },
  );
  const err = await r.get({ timeout: 30 }).then(
    () => assert.fail('expected REVOKED'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TaskFailedError);
  assert.equal(err.state, 'REVOKED');
  assert.equal(err.excType, 'TaskRevokedError');
});

test('kwargs reach the Python task by name', async () => {
  const r = await producer.sendTask<number>('tasks.add', [], { x: 20, y: 22 });
  assert.equal(await r.get({ timeout: 30 }), 42);
});

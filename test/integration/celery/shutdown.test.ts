/**
 * Warm shutdown of the TS worker (SIGTERM: finish in-flight, put back reserved, exit 0) and
 * acks-late recovery (SIGKILL: the message comes back after the visibility timeout and another
 * worker runs it).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../../src/celery/index.js';
import { waitFor } from '../../support/wait-for.js';
import { startRedis, startTsWorker, stopChild, type PrivateRedis } from './support.js';

let redis: PrivateRedis;

before(async () => {
  redis = await startRedis();
});

after(async () => {
  await redis?.stop();
});

test('SIGTERM finishes the running tasks, puts reserved ones back and exits 0', async () => {
  await redis.client.flushdb();
  const w = await startTsWorker(redis, {
    DONE_KEY: 'warm:done',
    CELERY_CONCURRENCY: '2',
    CELERY_PREFETCH: '2',
  });
  const producer = new Producer({ broker: redis.url });
  for (let i = 0; i < 8; i++) await producer.sendTask('tasks.sleep', [1.5]);
  await producer.close();
  await waitFor(async () => (await redis.client.scard('warm:done:started')) === 2, {
    timeoutMs: 20_000,
    what: '2 tasks running',
  });
  // Early ack: the 2 running were acked when they started; the 2 reserved wait in `unacked`.
  await waitFor(async () => (await redis.client.hlen('unacked')) === 2, {
    timeoutMs: 5_000,
    what: '2 reserved messages',
  });
  w.kill('SIGTERM');
  assert.equal(await w.exited, 0, w.output());
  assert.equal(Number(await redis.client.get('warm:done')), 2, 'both in-flight tasks finished');
  assert.equal(
    await redis.client.llen('celery'),
    6,
    'the 2 reserved went back next to the 4 never taken',
  );
  assert.equal(await redis.client.hlen('unacked'), 0);
  assert.equal(await redis.client.zcard('unacked_index'), 0);
  const back = (await redis.client.lrange('celery', -2, -1)).map(
    (m) => JSON.parse(m) as { headers: { redelivered?: boolean } },
  );
  assert.deepEqual(
    back.map((m) => m.headers.redelivered),
    [true, true],
    'restored at the consuming end, marked redelivered',
  );
});

test('a second SIGTERM turns the shutdown cold; acks-late tasks go back to the queue', async () => {
  await redis.client.flushdb();
  const w = await startTsWorker(redis, {
    DONE_KEY: 'cold:done',
    CELERY_CONCURRENCY: '1',
    CELERY_PREFETCH: '0',
    CELERY_ACKS_LATE: '1',
  });
  const producer = new Producer({ broker: redis.url });
  await producer.sendTask('tasks.sleep', [30]);
  await producer.close();
  await waitFor(async () => (await redis.client.scard('cold:done:started')) === 1, {
    timeoutMs: 20_000,
    what: 'task running',
  });
  w.kill('SIGTERM');
  await waitFor(() => w.output().includes('warm shutdown'), {
    timeoutMs: 5_000,
    what: 'warm shutdown log',
  });
  w.kill('SIGTERM');
  assert.equal(await w.exited, 1, w.output());
  assert.equal(await redis.client.llen('celery'), 1, 'the acks-late task is back on the queue');
  assert.equal(await redis.client.hlen('unacked'), 0);
});

test('with acksLate a task held by a SIGKILLed worker is run by another worker after the visibility timeout', async () => {
  await redis.client.flushdb();
  const env = {
    DONE_KEY: 'kill:done',
    CELERY_CONCURRENCY: '1',
    CELERY_PREFETCH: '0',
    CELERY_ACKS_LATE: '1',
    CELERY_VISIBILITY_TIMEOUT: '2',
  };
  const a = await startTsWorker(redis, env);
  const producer = new Producer({ broker: redis.url });
  await producer.sendTask('tasks.sleep', [1]);
  await producer.close();
  await waitFor(async () => (await redis.client.scard('kill:done:started')) === 1, {
    timeoutMs: 20_000,
    what: 'task started on A',
  });
  a.kill('SIGKILL');
  await a.exited;
  assert.equal(await redis.client.hlen('unacked'), 1, 'the message stays unacked after the kill');
  assert.equal(await redis.client.get('kill:done'), null);
  const b = await startTsWorker(redis, env);
  await waitFor(async () => Number(await redis.client.get('kill:done')) === 1, {
    timeoutMs: 30_000,
    what: 'redelivered task done',
  });
  assert.equal(await stopChild(b), 0);
  assert.equal(await redis.client.hlen('unacked'), 0);
});

/**
 * The `unacked` bookkeeping is shared with kombu: a message held by a SIGKILLed acks-late
 * worker of one language is restored and run by a worker of the other.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer, UNACKED_INDEX_KEY } from '../../../src/celery/index.js';
import { waitFor } from '../../support/wait-for.js';
import {
  requirePythonCelery,
  startPythonWorker,
  startRedis,
  startTsWorker,
  stopChild,
  type PrivateRedis,
} from './support.js';

let redis: PrivateRedis;

before(async () => {
  requirePythonCelery();
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

/** Waits until every unacked entry is older than `secs` (so a restore with that timeout takes it). */
async function unackedOlderThan(secs: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = await redis.client.zrange(UNACKED_INDEX_KEY, 0, -1, 'WITHSCORES');
      const scores = rows.filter((_, i) => i % 2 === 1).map(Number);
      return scores.length > 0 && scores.every((s) => Date.now() / 1000 - s > secs);
    },
    { timeoutMs: 20_000, what: `unacked entries older than ${secs}s` },
  );
}

test('a task held by a SIGKILLed TS worker (acks late) is restored and run by a Python worker', async () => {
  await redis.client.flushdb();
  const ts = await startTsWorker(redis, {
    DONE_KEY: 'x1:done',
    CELERY_CONCURRENCY: '1',
    CELERY_PREFETCH: '0',
    CELERY_ACKS_LATE: '1',
  });
  const producer = new Producer({ broker: redis.url });
  await producer.sendTask('tasks.sleep', [0.5]);
  await producer.close();
  await waitFor(async () => (await redis.client.scard('x1:done:started')) === 1, {
    timeoutMs: 20_000,
    what: 'TS started the task',
  });
  ts.kill('SIGKILL');
  await ts.exited;
  assert.equal(await redis.client.hlen('unacked'), 1);
  await unackedOlderThan(2.5);
  const py = await startPythonWorker(redis, {
    node: 'py-rescue@localhost',
    env: { VISIBILITY_TIMEOUT: '2', COUNT_DONE: '1', DONE_KEY: 'x1:pydone' },
  });
  await waitFor(async () => Number(await redis.client.get('x1:pydone')) === 1, {
    timeoutMs: 30_000,
    what: 'Python ran the restored task',
  });
  await stopChild(py);
  assert.equal(await redis.client.hlen('unacked'), 0);
});

test('a task held by a SIGKILLed Python worker (acks late) is restored and run by a TS worker', async () => {
  await redis.client.flushdb();
  const py = await startPythonWorker(redis, {
    node: 'py-victim@localhost',
    env: { ACKS_LATE: '1' },
  });
  const producer = new Producer({ broker: redis.url });
  await producer.sendTask('tasks.sleep', [30]);
  await producer.close();
  await waitFor(
    async () =>
      (await redis.client.hlen('unacked')) === 1 && (await redis.client.llen('celery')) === 0,
    {
      timeoutMs: 20_000,
      what: 'Python holds the task',
    },
  );
  py.kill('SIGKILL');
  await py.exited;
  const ts = await startTsWorker(redis, {
    DONE_KEY: 'x2:done',
    CELERY_ACKS_LATE: '1',
    CELERY_VISIBILITY_TIMEOUT: '2',
  });
  await waitFor(async () => (await redis.client.scard('x2:done:started')) === 1, {
    timeoutMs: 30_000,
    what: 'TS restored and started the task',
  });
  const restored = await redis.client.hvals('unacked');
  assert.equal(restored.length, 1, 'the TS worker now holds it');
  const [msg] = JSON.parse(restored[0] ?? '[]') as [{ headers: { redelivered?: boolean } }];
  assert.equal(msg.headers.redelivered, true, 'marked redelivered as kombu does');
  ts.kill('SIGKILL');
  await ts.exited;
});

/**
 * A mixed pool — a Python Celery solo worker and a TS worker on one queue — shares 200 tasks
 * with early acks: every task runs exactly once, none is lost.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../../src/celery/index.js';
import { waitFor } from '../../support/wait-for.js';
import {
  requirePythonCelery,
  startPythonWorker,
  startRedis,
  startTsWorker,
  stopChild,
  type Child,
  type PrivateRedis,
} from './support.js';

let redis: PrivateRedis;
const children: Child[] = [];

before(async () => {
  requirePythonCelery();
  redis = await startRedis();
});

after(async () => {
  for (const c of children) await stopChild(c);
  await redis?.stop();
});

test('200 tasks on one queue are shared by Python and TS workers, each run exactly once', async () => {
  const backend = `redis://127.0.0.1:${redis.port}/1`;
  children.push(
    await startPythonWorker(redis, {
      node: 'py-mixed@localhost',
      env: { COUNT_DONE: '1', DONE_KEY: 'mix:done', RESULT_BACKEND: backend },
    }),
  );
  children.push(
    await startTsWorker(redis, {
      DONE_KEY: 'mix:done',
      CELERY_CONCURRENCY: '2',
      CELERY_PREFETCH: '2',
      CELERY_RESULT_BACKEND: backend,
    }),
  );
  const producer = new Producer({ broker: redis.url, resultBackend: backend });
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push((await producer.sendTask('tasks.sleep', [0.02])).id);
  await waitFor(async () => Number(await redis.client.get('mix:done')) >= 200, {
    timeoutMs: 120_000,
    what: '200 completions',
  });
  // Let any duplicate delivery surface before counting.
  await waitFor(
    async () =>
      (await redis.client.llen('celery')) === 0 && (await redis.client.hlen('unacked')) === 0,
    {
      timeoutMs: 10_000,
      what: 'queue and unacked empty',
    },
  );
  const results = await Promise.all(ids.map((id) => producer.asyncResult(id).state()));
  await producer.close();
  assert.equal(
    Number(await redis.client.get('mix:done')),
    200,
    'completions counted once per task',
  );
  assert.equal(
    Number((await redis.client.get('mix:done:dups')) ?? 0),
    0,
    'no duplicate runs on the TS side',
  );
  assert.deepEqual(new Set(results), new Set(['SUCCESS']), 'every task has a SUCCESS result');
  const byTs = await redis.client.scard('mix:done:ts');
  assert.ok(byTs > 0 && byTs < 200, `TS ran ${byTs}, Python ran ${200 - byTs}: both took a share`);
});

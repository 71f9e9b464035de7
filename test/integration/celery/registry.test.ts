/**
 * tide's worker registry on a real broker: a dead TS worker's messages (held as unacked, or
 * parked in its inbox) come back at once, while messages it does not hold, like a Python
 * worker's, keep kombu's rules; live workers publish their running count for scale-in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../../src/celery/index.js';
import { heldKey, inboxKey, WORKERS_KEY } from '../../../src/celery/keys.js';
import {
  liveWorkers,
  reapDeadWorkers,
  runningByPod,
  workerCounters,
} from '../../../src/celery/registry.js';
import { WorkerTotals } from '../../../src/scheduler/worker-counters.js';
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
after(async () => await redis?.stop());

test('a live TS worker publishes its pod and running count, and leaves the registry when it stops', async () => {
  await redis.client.flushdb();
  const w = await startTsWorker(redis, {
    DONE_KEY: 'reg:done',
    CELERY_CONCURRENCY: '2',
    CELERY_ACKS_LATE: '1',
    HOSTNAME: 'pool-abcde',
  });
  const p = new Producer({ broker: redis.url });
  await p.sendTask('tasks.sleep', [3]);
  await p.close();
  const byPod = await waitFor(
    async () => {
      const m = await runningByPod(redis.client);
      return m.get('pool-abcde') === 1 ? m : undefined;
    },
    { timeoutMs: 10_000, what: 'the worker reporting one running task' },
  );
  assert.deepEqual([...byPod], [['pool-abcde', 1]]);
  assert.equal(await stopChild(w), 0);
  assert.deepEqual(await liveWorkers(redis.client), [], 'its record is gone');
  assert.equal(await redis.client.zcard(WORKERS_KEY), 0, 'and it is no longer listed');
});

test("a worker's counters for the wait-time policy: tasks done, slot time, and its concurrency, so busy time is per replica", async () => {
  await redis.client.flushdb();
  const w = await startTsWorker(redis, {
    DONE_KEY: 'reg:counters',
    CELERY_CONCURRENCY: '2',
    CELERY_ACKS_LATE: '1',
  });
  try {
    const totals = new WorkerTotals();
    totals.add(await workerCounters(redis.client));
    const p = new Producer({ broker: redis.url });
    await p.sendTask('tasks.sleep', [1]);
    await p.sendTask('tasks.sleep', [1]);
    await p.close();
    const [c] = await waitFor(
      async () => {
        const all = await workerCounters(redis.client);
        return all[0]?.done === 2 ? all : undefined;
      },
      { timeoutMs: 15_000, what: 'the worker reporting 2 tasks done' },
    );
    assert.equal(c!.concurrency, 2);
    // Two 1 s tasks side by side: about 2 slot-seconds, 1 second of the replica.
    assert.ok(c!.busyMs >= 1_900 && c!.busyMs < 4_000, `busyMs ${c!.busyMs}`);
    const signals = totals.add([c!]);
    assert.equal(signals.completed, 2);
    assert.ok(
      signals.busySeconds! >= 0.95 && signals.busySeconds! < 2,
      `busy replica-seconds ${signals.busySeconds}`,
    );
  } finally {
    await stopChild(w);
  }
});

test("a dead TS worker's unacked and parked messages come back; a Python worker's unacked task is left to kombu", async () => {
  await redis.client.flushdb();
  // A Python worker holds an acks-late task: in `unacked`, in no registered worker's held set.
  const py = await startPythonWorker(redis, { node: 'py1@reg', env: { ACKS_LATE: '1' } });
  const p = new Producer({ broker: redis.url });
  await p.sendTask('tasks.sleep', [30]);
  await waitFor(async () => (await redis.client.hlen('unacked')) === 1, {
    timeoutMs: 20_000,
    what: 'the Python worker holding its task',
  });
  // A TS worker that died holding one task and with one message parked in its inbox.
  const ts = await startTsWorker(redis, {
    DONE_KEY: 'reg:done2',
    CELERY_CONCURRENCY: '1',
    CELERY_ACKS_LATE: '1',
    CELERY_LIVENESS_TTL: '2',
    CELERY_QUEUES: 'ts',
  });
  await p.sendTask('tasks.sleep', [30], {}, { queue: 'ts' });
  await waitFor(async () => (await redis.client.hlen('unacked')) === 2, {
    timeoutMs: 20_000,
    what: 'the TS worker holding its task',
  });
  const [id] = (await redis.client.zrange(WORKERS_KEY, 0, -1)) as [string];
  await redis.client.lpush(inboxKey(id), await parkedMessage(p));
  await p.close();
  ts.kill('SIGKILL');
  await ts.exited;
  await waitFor(async () => (await redis.client.exists(`_tide.worker.${id}`)) === 0, {
    timeoutMs: 10_000,
    what: "the dead worker's record to expire",
  });
  const r = await reapDeadWorkers(redis.client);
  assert.deepEqual(r, { workers: [id], restored: 2 });
  assert.equal(await redis.client.llen('ts'), 2, 'both of its messages are back on its queue');
  assert.equal(await redis.client.hlen('unacked'), 1, "the Python worker's task is untouched");
  assert.equal(await redis.client.exists(heldKey(id), inboxKey(id)), 0);
  assert.equal(await redis.client.zcard(WORKERS_KEY), 0);
  await stopChild(py);
});

/** A task message as a blocking fetch parks it: the raw envelope from the `ts` list. */
async function parkedMessage(p: Producer): Promise<string> {
  await p.sendTask('tasks.add', [1, 2], {}, { queue: 'ts-park' });
  const raw = await redis.client.rpop('ts-park');
  assert.ok(raw);
  const env = JSON.parse(raw) as { properties: { delivery_info: { routing_key: string } } };
  env.properties.delivery_info.routing_key = 'ts';
  return JSON.stringify(env);
}

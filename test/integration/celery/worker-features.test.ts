/**
 * TS worker behaviour against a real (private) Redis: ETA without blocking, time limits,
 * RETRY state, kombu priority order, unregistered tasks, restore of timed-out unacked
 * messages, result expiry.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Producer,
  TaskFailedError,
  UNACKED_INDEX_KEY,
  UNACKED_KEY,
  Worker,
  encodeTask,
} from '../../../src/celery/index.js';
import type { WorkerOptions } from '../../../src/celery/index.js';
import { waitFor } from '../../support/wait-for.js';
import { startRedis, type PrivateRedis } from './support.js';

let redis: PrivateRedis;
let n = 0;

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

/** A worker and producer on a queue of their own. */
async function setup(
  opts: Partial<WorkerOptions> = {},
  start = true,
): Promise<{ w: Worker; p: Producer; queue: string; done: () => Promise<void> }> {
  const queue = `feat-${++n}`;
  const backend = `redis://127.0.0.1:${redis.port}/1`;
  const quiet = { warn: () => undefined, error: () => undefined };
  const w = new Worker({
    broker: redis.url,
    queues: [queue],
    resultBackend: backend,
    log: quiet,
    ...opts,
  });
  const p = new Producer({ broker: redis.url, resultBackend: backend, defaultQueue: queue });
  if (start) await w.start();
  return {
    w,
    p,
    queue,
    done: async () => {
      await w.stop({ graceMs: 2000 });
      await p.close();
    },
  };
}

test('an ETA task is held without blocking the tasks behind it', async () => {
  const { w, p, done } = await setup({ concurrency: 1, prefetch: 1 });
  const order: string[] = [];
  w.register('t.mark', (args) => void order.push(String(args[0])));
  const t0 = Date.now();
  const late = await p.sendTask('t.mark', ['late'], {}, { countdown: 1.5 });
  const now = await p.sendTask('t.mark', ['now']);
  await now.get({ timeout: 10 });
  assert.deepEqual(order, ['now']);
  await late.get({ timeout: 10 });
  assert.ok(Date.now() - t0 >= 1400);
  assert.deepEqual(order, ['now', 'late']);
  await done();
});

const limitCases = [
  {
    name: 'the soft time limit aborts ctx.signal and the task fails with SoftTimeLimitExceeded',
    opts: { softTimeLimit: 0.3 },
    excType: 'SoftTimeLimitExceeded',
  },
  {
    name: 'the hard time limit fails the task with TimeLimitExceeded and frees its slot',
    opts: { timeLimit: 0.3 },
    excType: 'TimeLimitExceeded',
  },
];
for (const c of limitCases) {
  test(c.name, async () => {
    const { w, p, done } = await setup({ concurrency: 1 });
    w.register(
      't.hang',
      (_a, _k, ctx) =>
        new Promise((_res, rej) => {
          if (c.opts.softTimeLimit)
            ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason as Error));
        }),
      c.opts,
    );
    w.register('t.ok', () => 'ok');
    const r = await p.sendTask('t.hang');
    const err = await r.get({ timeout: 10 }).catch((e: unknown) => e);
    assert.ok(err instanceof TaskFailedError, String(err));
    assert.equal(err.excType, c.excType);
    assert.equal(await (await p.sendTask('t.ok')).get({ timeout: 10 }), 'ok');
    await done();
  });
}

test('ctx.retry stores RETRY, re-sends with retries + 1, then SUCCESS', async () => {
  const { w, p, done } = await setup();
  const seen: number[] = [];
  w.register('t.retry', (_a, _k, ctx) => {
    seen.push(ctx.retries);
    if (ctx.retries === 0) ctx.retry({ countdown: 1 });
    return 'done';
  });
  const r = await p.sendTask('t.retry');
  await waitFor(async () => (await r.state()) === 'RETRY', {
    timeoutMs: 5000,
    what: 'RETRY state',
  });
  assert.equal(await r.get({ timeout: 10 }), 'done');
  assert.deepEqual(seen, [0, 1]);
  await done();
});

test('a retry beyond maxRetries fails with the original error', async () => {
  const { w, p, done } = await setup();
  w.register(
    't.always',
    (_a, _k, ctx) => ctx.retry({ countdown: 0.05, exc: new TypeError('nope') }),
    { maxRetries: 2 },
  );
  const err = await (await p.sendTask('t.always')).get({ timeout: 10 }).catch((e: unknown) => e);
  assert.ok(err instanceof TaskFailedError);
  assert.equal(err.excType, 'TypeError');
  assert.equal(err.excModule, 'builtins');
  await done();
});

test('lower priority numbers are served first, as kombu orders the sub-lists', async () => {
  const { w, p, done } = await setup({ concurrency: 1, prefetch: 0 }, false);
  const order: number[] = [];
  w.register('t.prio', (args) => void order.push(Number(args[0])));
  for (const pri of [9, 6, 3, 0])
    await p.sendTask('t.prio', [pri], {}, { priority: pri, ignoreResult: true });
  await w.start();
  await waitFor(() => order.length === 4, { timeoutMs: 10_000, what: '4 tasks' });
  assert.deepEqual(order, [0, 3, 6, 9]);
  await done();
});

test('an unregistered task is discarded with a FAILURE NotRegistered result', async () => {
  const { p, done } = await setup();
  const err = await (await p.sendTask('t.nobody')).get({ timeout: 10 }).catch((e: unknown) => e);
  assert.ok(err instanceof TaskFailedError);
  assert.equal(err.excType, 'NotRegistered');
  assert.equal(await redis.client.hlen(UNACKED_KEY), 0);
  await done();
});

test('an unacked message older than the visibility timeout is restored and run', async () => {
  const { w, p, queue, done } = await setup({ visibilityTimeout: 5 }, false);
  w.register('t.ok', () => 'restored');
  // What a crashed worker leaves: the message in `unacked`, delivered 10 s ago.
  const env = encodeTask({ task: 't.ok', queue });
  const tag = String(env.properties.delivery_tag);
  await redis.client.hset(UNACKED_KEY, tag, JSON.stringify([env, '', queue]));
  await redis.client.zadd(UNACKED_INDEX_KEY, Date.now() / 1000 - 10, tag);
  await w.start();
  assert.equal(await p.asyncResult(String(env.headers.id)).get({ timeout: 10 }), 'restored');
  assert.equal(await redis.client.hexists(UNACKED_KEY, tag), 0);
  await done();
});

test('results are stored under celery-task-meta-<id> with a one-day expiry', async () => {
  const { w, p, done } = await setup();
  w.register('t.ok', () => ({ a: 1 }));
  const r = await p.sendTask('t.ok');
  assert.deepEqual(await r.get({ timeout: 10 }), { a: 1 });
  const ttl = await p.backend!.client.ttl(`celery-task-meta-${r.id}`);
  assert.ok(ttl > 86_000 && ttl <= 86_400, `ttl ${ttl}`);
  await done();
});

test('an unreadable message is dropped, not left in unacked, and the next task still runs', async () => {
  const { w, p, queue, done } = await setup({}, false);
  w.register('t.ok', () => 'after');
  await redis.client.lpush(
    queue,
    'not json at all',
    '{"body": "x", "properties": {"delivery_tag": "broken-1"',
  );
  await w.start();
  assert.equal(await (await p.sendTask('t.ok')).get({ timeout: 10 }), 'after');
  await waitFor(async () => (await redis.client.hexists(UNACKED_KEY, 'broken-1')) === 0, {
    timeoutMs: 5000,
    what: 'broken-1 acked',
  });
  assert.equal(await redis.client.llen(queue), 0);
  await done();
});

/**
 * The `celery` trigger against a private redis-server (FLUSHed between tests), with real Celery
 * messages sent by tide's Producer (plain, priority, other queues) and in-flight ones held by a
 * TS Worker with acks_late, compared with what KEDA's `redis` trigger sees on the same keys.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Producer, SEP, UNACKED_KEY, Worker } from '../../../src/celery/index.js';
import { ScalerError } from '../../../src/errors.js';
import { celery } from '../../../src/scalers/celery/celery.js';
import { redis as redisTrigger } from '../../../src/scalers/redis/redis.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, startRedis, testContext, type ServerProcess } from './redis-servers.js';

const PASSWORD = `pw-${randomUUID()}`;
let server: ServerProcess;
let client: Redis;
let producer: Producer;
let broker: string;

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const r = celery.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: ctx.triggerIndex });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return celery.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(AbortSignal.timeout(30_000));
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** What KEDA's `redis` trigger reports for `listName`. */
async function kedaListLength(listName: string): Promise<number> {
  const r = redisTrigger.parse({
    metadata: { address: `127.0.0.1:${server.port}`, listName },
    authParams: { password: new Secret(PASSWORD) },
    resolvedEnv: {},
    triggerIndex: 0,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  const s = await redisTrigger.create(r.meta, testContext());
  try {
    return (await read(s)).value;
  } finally {
    await s.close();
  }
}

const send = (n: number, opts: { priority?: number; queue?: string } = {}) =>
  Promise.all(
    Array.from({ length: n }, () =>
      producer.sendTask('t.hold', [], {}, { ignoreResult: true, ...opts }),
    ),
  );

before(async () => {
  server = await startRedis(['--requirepass', PASSWORD]);
  broker = `redis://:${PASSWORD}@127.0.0.1:${server.port}/0`;
  client = new Redis({ host: '127.0.0.1', port: server.port, password: PASSWORD });
  producer = new Producer({ broker });
});

beforeEach(async () => {
  await client.flushdb();
});

after(async () => {
  await producer?.close();
  client?.disconnect();
  await server?.stop();
});

describe('celery trigger on a private redis-server', () => {
  test('counts the queue list and its priority sub-lists, which the redis trigger misses', async () => {
    await send(4);
    await send(3, { priority: 5 }); // kombu step 3: celery\x06\x163
    await send(2, { priority: 9 });
    await send(5, { queue: 'other' });
    assert.equal(await client.llen(`celery${SEP}3`), 3, 'priority 5 went to the step-3 list');
    assert.equal(await kedaListLength('celery'), 4, 'KEDA sees the plain list only');

    const s = await build({ url: broker, tasksPerReplica: '2' }, {}, testContext(2));
    assert.deepEqual(s.metricSpecs, [
      { name: 's2-celery-celery', targetType: 'AverageValue', target: 2 },
    ]);
    assert.deepEqual(await read(s), { value: 9, active: true });
    await s.close();

    const both = await build({ url: broker, queues: 'celery,other' });
    assert.equal(both.metricSpecs[0]?.name, 's0-celery-celery-other');
    assert.deepEqual(await read(both), { value: 14, active: true });
    await both.close();
  });

  test('counts the tasks a worker holds (running and reserved) only with includeInFlight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker({
      broker,
      concurrency: 2,
      prefetch: 1,
      acksLate: true,
      log: { warn: () => undefined, error: () => undefined },
    });
    worker.register('t.hold', async () => {
      await gate;
    });
    await send(10);
    await worker.start();
    try {
      await waitFor(
        () => {
          const c = worker.counts;
          return c.running === 2 && c.reserved >= 1;
        },
        { timeoutMs: 15_000, what: 'the worker running 2 tasks with one reserved' },
      );
      const waiting = await client.llen('celery');
      const held = await client.hlen(UNACKED_KEY);
      assert.ok(held >= 3, `the worker holds at least 3 messages in unacked, got ${held}`);
      assert.equal(waiting + held, 10);
      assert.equal(await kedaListLength('celery'), waiting, 'KEDA sees only what waits');

      const withHeld = await build({ address: `127.0.0.1:${server.port}`, password: PASSWORD });
      const plain = await build({
        address: `127.0.0.1:${server.port}`,
        password: PASSWORD,
        includeInFlight: 'false',
      });
      assert.equal((await read(withHeld)).value, 10, 'waiting + held = every task not done');
      assert.equal((await read(plain)).value, waiting);

      // In-flight entries of another queue are not ours.
      const other = await build({ url: broker, queues: 'other' });
      assert.deepEqual(await read(other), { value: 0, active: false });

      release();
      await waitFor(async () => (await read(withHeld)).value === 0, {
        timeoutMs: 30_000,
        what: 'the count to reach 0 once every task is done',
      });
      assert.equal((await read(withHeld)).active, false);
      for (const s of [withHeld, plain, other]) await s.close();
    } finally {
      release();
      await worker.stop({ graceMs: 5_000 });
    }
  });

  test("an unacked entry of a named exchange belongs to the queues its bindings name, as kombu's restore decides", async () => {
    // What a Python worker leaves for a task routed through exchange "tasks" with routing key
    // "fast": kombu JSON with ", " separators, and the binding set kombu writes on declare.
    await client.sadd('_kombu.binding.tasks', `fast${SEP}fast${SEP}hipri`);
    await client.hset(UNACKED_KEY, 'tag-1', '[{"body": "W10=", "headers": {}}, "tasks", "fast"]');
    await client.hset(UNACKED_KEY, 'tag-2', '[{"body": "W10="}, "", "hipri"]');
    await client.hset(UNACKED_KEY, 'tag-3', '[{"body": "W10="}, "", "celery"]');
    await client.hset(UNACKED_KEY, 'tag-4', '[{"body": "W10="}, "unbound", "hipri"]');
    const s = await build({ url: broker, queues: 'hipri' });
    assert.deepEqual(await read(s), { value: 3, active: true });
    await s.close();
  });

  const activation = [
    { name: 'a count equal to activationTasks is inactive', n: 2, active: false },
    { name: 'one more than activationTasks is active', n: 3, active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      await send(c.n);
      const s = await build({ url: broker, activationTasks: '2' });
      assert.deepEqual(await read(s), { value: c.n, active: c.active });
      await s.close();
    });
  }

  test('a queue key of another type is an error naming the key', async () => {
    await client.set('celery', 'not a list');
    const s = await build({ url: broker });
    await assert.rejects(s.getMetricsAndActivity(AbortSignal.timeout(30_000)), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /key celery is a string, not a list/);
      return true;
    });
    await s.close();
  });
});

scalerContract('celery', () => ({
  working: (i) =>
    build(
      { address: `127.0.0.1:${server.port}` },
      { password: new Secret(PASSWORD) },
      testContext(i),
    ),
  down: async () => build({ url: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}/0` }),
  badCredentials: () => build({ url: `redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}/0` }),
  secrets: [PASSWORD],
}));

/**
 * The `rabbitmq` trigger against the shared RabbitMQ on 127.0.0.1 (AMQP 5672, management API
 * 15672, guest/guest). Queues are unique per test and deleted in `after`. The management API's
 * statistics refresh every few seconds, so HTTP reads wait for the expected value with a deadline.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { ScalerError } from '../../../src/errors.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { rabbitmq } from '../../../src/scalers/rabbitmq/rabbitmq.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, testContext } from './redis-servers.js';

const AMQP = 'amqp://guest:guest@127.0.0.1:5672/';
const HTTP = 'http://guest:guest@127.0.0.1:15672/';
const signal = () => AbortSignal.timeout(30_000);
let conn: ChannelModel;
let ch: Channel;
const queues: string[] = [];

function ctx(i = 0, pool = new SharedConnectionPool()): ScalerContext {
  return {
    ...testContext(i, pool),
    triggerRef: `ScaledObject default/test-so trigger ${i} (rabbitmq)`,
  };
}

async function queue(prefix = 'tide-test'): Promise<string> {
  const q = `${prefix}.${randomUUID()}`;
  queues.push(q);
  await ch.assertQueue(q, { durable: false });
  return q;
}

async function publish(q: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
  // A passive declare on another channel may overtake unconfirmed publishes: wait until counted.
  await waitFor(async () => (await ch.checkQueue(q)).messageCount >= n, {
    timeoutMs: 10_000,
    intervalMs: 20,
    what: `${n} messages in ${q}`,
  });
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  c: ScalerContext = ctx(),
): Promise<Scaler> {
  const r = rabbitmq.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: c.triggerIndex });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return rabbitmq.create(r.meta, c);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** Reads until the management API's statistics show `want` (they refresh every ~5 s). */
async function readUntil(
  s: Scaler,
  want: (v: { value: number; active: boolean }) => boolean,
  what: string,
) {
  let last: { value: number; active: boolean } | undefined;
  await waitFor(
    async () => {
      last = await read(s);
      return want(last);
    },
    { timeoutMs: 30_000, intervalMs: 500, what: `${what} (last read ${JSON.stringify(last)})` },
  );
  return last;
}

before(async () => {
  // HTTP mode needs the management plugin; enabling it is idempotent (scripts/setup.sh --test does it too).
  const status = await fetch('http://127.0.0.1:15672/api/overview', {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  }).then(
    (r) => r.status,
    () => 0,
  );
  if (status !== 200) {
    execFileSync('rabbitmq-plugins', ['enable', 'rabbitmq_management'], {
      stdio: 'ignore',
      timeout: 120_000,
    });
    await waitFor(
      () =>
        fetch('http://127.0.0.1:15672/api/overview').then(
          (r) => r.status === 401,
          () => false,
        ),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'the RabbitMQ management API (rabbitmq-plugins enable rabbitmq_management)',
      },
    );
  }
  conn = await connect(AMQP);
  ch = await conn.createChannel();
});

after(async () => {
  for (const q of queues) await ch?.deleteQueue(q).catch(() => undefined);
  await conn?.close();
});

describe('rabbitmq trigger over AMQP (127.0.0.1:5672)', () => {
  test('reports ready messages with the QueueLength default target 20 and a URL-escaped metric name', async () => {
    const q = await queue('tide/test');
    await publish(q, 7);
    const s = await build({ queueName: q, host: AMQP }, {}, ctx(4));
    assert.deepEqual(s.metricSpecs, [
      {
        name: `s4-rabbitmq-tide-2Ftest-${q.slice('tide/test.'.length)}`,
        targetType: 'AverageValue',
        target: 20,
      },
    ]);
    assert.deepEqual(await read(s), { value: 7, active: true });
    await s.close();
  });

  const activation = [
    { name: 'messages equal to activationValue are inactive (strict >)', n: 3, active: false },
    { name: 'one more message than activationValue is active', n: 4, active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const q = await queue();
      await publish(q, c.n);
      const s = await build({
        queueName: q,
        host: AMQP,
        mode: 'QueueLength',
        value: '2',
        activationValue: '3',
      });
      assert.deepEqual(await read(s), { value: c.n, active: c.active });
      await s.close();
    });
  }

  test('follows the queue through scale-out and back to zero', async () => {
    const q = await queue();
    const s = await build({ queueName: q, host: AMQP, queueLength: '5' });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await publish(q, 11);
    assert.deepEqual(await read(s), { value: 11, active: true });
    await ch.purgeQueue(q);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  test('unacknowledged messages are invisible over AMQP, as in KEDA', async () => {
    const q = await queue();
    await publish(q, 3);
    const consumer = await conn.createChannel();
    await consumer.prefetch(2);
    let got = 0;
    await consumer.consume(q, () => (got += 1), { noAck: false });
    await waitFor(() => got === 2, { timeoutMs: 10_000, intervalMs: 20, what: 'two deliveries' });
    const s = await build({ queueName: q, host: AMQP });
    assert.equal((await read(s)).value, 1);
    await s.close();
    await consumer.close();
  });

  test('a missing queue is a ScalerError and the next read still works', async () => {
    const missing = `tide-test.missing.${randomUUID()}`;
    const s = await build({ queueName: missing, host: AMQP });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(
        e.message,
        new RegExp(
          `reading queue "${missing.replace(/\./g, '\\.')}" at amqp://user:password@127\\.0\\.0\\.1:5672/ failed: .*NOT_FOUND`,
        ),
      );
      return true;
    });
    await ch.assertQueue(missing, { durable: false });
    queues.push(missing);
    assert.equal((await read(s)).value, 0);
    await s.close();
  });

  test('two triggers on the same broker and credentials share one connection', async () => {
    const pool = new SharedConnectionPool();
    const a = await build({ queueName: await queue(), host: AMQP }, {}, ctx(0, pool));
    const b = await build({ queueName: await queue(), host: AMQP }, {}, ctx(1, pool));
    assert.equal(pool.opened, 1);
    await a.close();
    assert.equal((await read(b)).value, 0);
    await b.close();
    assert.equal(pool.keys.length, 0);
  });

  test('credentials from the TriggerAuthentication are used', async () => {
    const q = await queue();
    const s = await build(
      { queueName: q, host: 'amqp://127.0.0.1:5672/' },
      { username: 'guest', password: new Secret('guest') },
    );
    assert.equal((await read(s)).value, 0);
    await s.close();
  });

  test('a wrong password fails creation with a ScalerError that masks the user info', async () => {
    await assert.rejects(
      build(
        { queueName: 'q', host: 'amqp://127.0.0.1:5672/' },
        { username: 'guest', password: new Secret('wrong-rabbit-pw') },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          /cannot connect to RabbitMQ at amqp:\/\/user:password@127\.0\.0\.1:5672\/: .*ACCESS.REFUSED/,
        );
        assert.ok(!e.message.includes('wrong-rabbit-pw'));
        return true;
      },
    );
  });

  test('a closed port fails creation with a ScalerError', async () => {
    const port = await freePort();
    await assert.rejects(
      build({ queueName: 'q', host: `amqp://guest:secret-pw@127.0.0.1:${port}/` }),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(
            `cannot connect to RabbitMQ at amqp://user:password@127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`,
          ),
        );
        assert.ok(!e.message.includes('secret-pw'));
        return true;
      },
    );
  });
});

describe('rabbitmq trigger over the management API (127.0.0.1:15672)', () => {
  test('QueueLength counts ready and unacked messages; excludeUnacknowledged counts ready only', async () => {
    const q = await queue();
    await publish(q, 4);
    const consumer = await conn.createChannel();
    await consumer.prefetch(1);
    let got = 0;
    await consumer.consume(q, () => (got += 1), { noAck: false });
    await waitFor(() => got === 1, { timeoutMs: 10_000, intervalMs: 20, what: 'one delivery' });
    const all = await build({ queueName: q, host: HTTP, mode: 'QueueLength', value: '2' });
    const ready = await build({
      queueName: q,
      host: HTTP,
      mode: 'QueueLength',
      value: '2',
      excludeUnacknowledged: 'true',
    });
    await readUntil(all, (v) => v.value === 4 && v.active, 'messages = 4');
    await readUntil(ready, (v) => v.value === 3, 'messages_ready = 3');
    await consumer.close();
    await all.close();
    await ready.close();
  });

  test('scale-in: the value drops when the queue is purged', async () => {
    const q = await queue();
    await publish(q, 6);
    const s = await build({ queueName: q, host: HTTP, vhostName: '/' });
    await readUntil(s, (v) => v.value === 6, 'six messages');
    await ch.purgeQueue(q);
    await readUntil(s, (v) => v.value === 0 && !v.active, 'an empty queue');
    await s.close();
  });

  test('MessageRate reports the publish rate while messages are published', async () => {
    const q = await queue();
    const s = await build({ queueName: q, host: HTTP, mode: 'MessageRate', value: '10' });
    await readUntil(
      s,
      (v) => {
        for (let i = 0; i < 20; i++) ch.sendToQueue(q, Buffer.from('x'));
        return v.value > 0 && v.active;
      },
      'a publish rate above 0',
    );
    await s.close();
  });

  test('useRegex sums the matching queues', async () => {
    const prefix = `tide-test-rx-${randomUUID().slice(0, 8)}`;
    const a = await queue(prefix);
    const b = await queue(prefix);
    await publish(a, 2);
    await publish(b, 3);
    const s = await build({
      queueName: `^${prefix}\\..*`,
      host: HTTP,
      useRegex: 'true',
      mode: 'QueueLength',
      value: '1',
    });
    await readUntil(s, (v) => v.value === 5, 'the sum of both queues');
    await s.close();
  });

  test('a missing queue is a ScalerError with the API status, user info masked', async () => {
    const s = await build({ queueName: 'tide-test.none', host: HTTP });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /error requesting rabbitMQ API status: 404/);
      assert.ok(!e.message.includes('guest:guest'));
      return true;
    });
    await s.close();
  });

  test('a wrong password is a ScalerError with status 401 and without the password', async () => {
    const s = await build(
      { queueName: 'q', host: 'http://127.0.0.1:15672/' },
      { username: 'guest', password: new Secret('wrong-http-pw') },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /error requesting rabbitMQ API status: 401/);
      assert.ok(!e.message.includes('wrong-http-pw'));
      return true;
    });
    await s.close();
  });

  test('a closed port is a ScalerError on read', async () => {
    const port = await freePort();
    const s = await build({ queueName: 'q', host: `http://guest:http-secret@127.0.0.1:${port}/` });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(
        e.message,
        new RegExp(`at http://user:password@127\\.0\\.0\\.1:${port}/ failed: .*ECONNREFUSED`),
      );
      assert.ok(!e.message.includes('http-secret'));
      return true;
    });
    await s.close();
  });
});

scalerContract('rabbitmq (amqp)', () => ({
  secrets: ['guest:guest', 'bad-rabbit-pw'],
  working: async (i) => build({ queueName: await queue(), host: AMQP }, {}, ctx(i)),
  down: async () =>
    build({ queueName: 'q', host: `amqp://guest:guest@127.0.0.1:${await freePort()}/` }),
  badCredentials: () =>
    build(
      { queueName: 'q', host: 'amqp://127.0.0.1:5672/' },
      { username: 'guest', password: new Secret('bad-rabbit-pw') },
    ),
}));

scalerContract('rabbitmq (http)', () => ({
  secrets: ['guest:guest', 'bad-rabbit-pw'],
  working: async (i) => build({ queueName: await queue(), host: HTTP }, {}, ctx(i)),
  down: async () =>
    build({ queueName: 'q', host: `http://guest:guest@127.0.0.1:${await freePort()}/` }),
  badCredentials: () =>
    build(
      { queueName: 'q', host: 'http://127.0.0.1:15672/' },
      { username: 'guest', password: new Secret('bad-rabbit-pw') },
    ),
}));

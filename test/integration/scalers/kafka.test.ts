/**
 * The `kafka` trigger against a real Kafka-protocol cluster (franz-go's kfake, test/support/peers.ts):
 * topics are created with partitions, records produced to chosen partitions and group offsets
 * committed (one raw OffsetCommit), then the scaler's lag is checked against KEDA's rules, and a
 * cluster going away. Credentials, TLS and the contract suite are in kafka-auth.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { ScalerError } from '../../../src/errors.js';
import { kafka } from '../../../src/scalers/kafka/kafka.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { startKafka, type KafkaCluster } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';

const signal = () => AbortSignal.timeout(30_000);
let cluster: KafkaCluster;
let admin: Admin;
let producer: Producer;

function context(triggerIndex = 0): ScalerContext {
  return {
    triggerIndex,
    triggerRef: `ScaledObject default/test-so trigger ${triggerIndex} (kafka)`,
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'AverageValue',
    now: () => Date.now(),
  };
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = context(),
): Promise<Scaler> {
  const r = kafka.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: ctx.triggerIndex });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return kafka.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** A fresh topic whose partitions hold `counts[i]` records each. */
async function topicWith(counts: number[]): Promise<string> {
  const topic = `tide-${randomUUID()}`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: counts.length }],
    waitForLeaders: true,
  });
  const messages = counts.flatMap((n, partition) =>
    Array.from({ length: n }, (_, i) => ({ value: `m${i}`, partition })),
  );
  if (messages.length) await producer.send({ topic, messages });
  return topic;
}

async function produce(topic: string, partition: number, n: number): Promise<void> {
  await producer.send({
    topic,
    messages: Array.from({ length: n }, (_, i) => ({ value: `x${i}`, partition })),
  });
}

const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);

/**
 * Commits group offsets with one raw OffsetCommit v2 (generation -1: a "simple" commit for a group
 * without members). kafkajs' admin.setOffsets joins the group and waits a fetch (~5 s) each time.
 * The single-broker test cluster is its own group coordinator.
 */
async function commit(
  group: string,
  topic: string,
  offsets: Record<number, number>,
): Promise<void> {
  const broker = cluster.brokers[0] ?? '';
  const at = broker.lastIndexOf(':');
  const parts = Object.entries(offsets);
  const body = Buffer.concat([
    str(group),
    i32(-1),
    str(''),
    i64(-1),
    i32(1),
    str(topic),
    i32(parts.length),
    ...parts.map(([p, o]) => Buffer.concat([i32(Number(p)), i64(o), i16(-1)])),
  ]);
  const header = Buffer.concat([i16(8), i16(2), i32(1), str('tide-test')]);
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const s = connect({ host: broker.slice(0, at), port: Number(broker.slice(at + 1)) }, () =>
      s.write(Buffer.concat([i32(header.length + body.length), header, body])),
    );
    let acc = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length >= 4 && acc.length >= 4 + acc.readInt32BE(0)) {
        s.destroy();
        resolve(acc);
      }
    });
    s.on('error', reject);
  });
  // size, correlation id, [topic name, [partition, error code]]: every error code must be 0.
  let o = 12;
  o += 2 + reply.readInt16BE(o);
  const n = reply.readInt32BE(o);
  o += 4;
  for (let i = 0; i < n; i++, o += 6) {
    const code = reply.readInt16BE(o + 4);
    if (code !== 0)
      throw new Error(`OffsetCommit partition ${reply.readInt32BE(o)}: error ${code}`);
  }
}

const group = () => `g-${randomUUID()}`;

before(async () => {
  cluster = await startKafka();
  const k = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
  admin = k.admin();
  producer = k.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

after(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await cluster?.stop();
});

describe('kafka trigger on a kfake cluster', () => {
  test('the metric is latest minus committed offset summed over partitions, named s<i>-kafka-<topic>', async () => {
    const topic = await topicWith([5, 3, 0]);
    const g = group();
    await commit(g, topic, { 0: 2, 1: 3, 2: 0 });
    const s = await build(
      { bootstrapServers: cluster.brokers.join(','), consumerGroup: g, topic, lagThreshold: '2' },
      {},
      context(2),
    );
    assert.deepEqual(s.metricSpecs, [
      { name: `s2-kafka-${topic}`, targetType: 'AverageValue', target: 2 },
    ]);
    assert.deepEqual(await read(s), { value: 3, active: true });
    await s.close();
  });

  const invalid: { name: string; md: Record<string, string>; want: number }[] = [
    { name: 'latest counts 1 per partition without a committed offset', md: {}, want: 3 },
    {
      name: 'latest with scaleToZeroOnInvalidOffset counts 0',
      md: { scaleToZeroOnInvalidOffset: 'true' },
      want: 0,
    },
    { name: 'earliest counts the whole partition', md: { offsetResetPolicy: 'earliest' }, want: 9 },
    {
      name: 'earliest with scaleToZeroOnInvalidOffset counts 0',
      md: { offsetResetPolicy: 'earliest', scaleToZeroOnInvalidOffset: 'true' },
      want: 0,
    },
  ];
  for (const c of invalid) {
    test(`uncommitted offsets: ${c.name}`, async () => {
      const topic = await topicWith([4, 3, 2]);
      const s = await build({
        bootstrapServers: cluster.brokers[0] ?? '',
        consumerGroup: group(),
        topic,
        lagThreshold: '1',
        allowIdleConsumers: 'true',
        ...c.md,
      });
      assert.equal((await read(s)).value, c.want);
      await s.close();
    });
  }

  const activation = [
    { name: 'lag equal to activationLagThreshold is inactive', lag: 4, active: false },
    { name: 'lag above activationLagThreshold is active', lag: 5, active: true },
    { name: 'no lag is inactive', lag: 0, active: false },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const topic = await topicWith([10]);
      const g = group();
      await commit(g, topic, { 0: 10 - c.lag });
      const s = await build({
        bootstrapServers: cluster.brokers[0] ?? '',
        consumerGroup: g,
        topic,
        activationLagThreshold: '4',
      });
      assert.deepEqual(await read(s), { value: c.lag, active: c.active });
      await s.close();
    });
  }

  test('follows the lag out and back to zero as records arrive and are committed', async () => {
    const topic = await topicWith([0, 0]);
    const g = group();
    await commit(g, topic, { 0: 0, 1: 0 });
    const s = await build({
      bootstrapServers: cluster.brokers[0] ?? '',
      consumerGroup: g,
      topic,
      lagThreshold: '5',
    });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await produce(topic, 0, 6);
    await produce(topic, 1, 4);
    assert.deepEqual(await read(s), { value: 10, active: true });
    await commit(g, topic, { 0: 6, 1: 4 });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const caps: { name: string; md: Record<string, string>; want: number }[] = [
    { name: 'lag is capped at partitions × lagThreshold', md: {}, want: 20 },
    { name: 'allowIdleConsumers lifts the cap', md: { allowIdleConsumers: 'true' }, want: 40 },
    {
      name: 'limitToPartitionsWithLag caps at the partitions that lag',
      md: { limitToPartitionsWithLag: 'true' },
      want: 10,
    },
    {
      name: 'partitionLimitation counts only the listed partitions',
      md: { partitionLimitation: '1', allowIdleConsumers: 'true' },
      want: 0,
    },
  ];
  for (const c of caps) {
    test(c.name, async () => {
      const topic = await topicWith([40, 0]);
      const g = group();
      await commit(g, topic, { 0: 0, 1: 0 });
      const s = await build({
        bootstrapServers: cluster.brokers[0] ?? '',
        consumerGroup: g,
        topic,
        lagThreshold: '10',
        ...c.md,
      });
      assert.equal((await read(s)).value, c.want);
      await s.close();
    });
  }

  test('excludePersistentLag drops a stuck partition from the metric but keeps it active', async () => {
    const topic = await topicWith([7]);
    const g = group();
    await commit(g, topic, { 0: 2 });
    const s = await build({
      bootstrapServers: cluster.brokers[0] ?? '',
      consumerGroup: g,
      topic,
      excludePersistentLag: 'true',
    });
    assert.deepEqual(await read(s), { value: 5, active: true }, 'first poll: no history yet');
    assert.deepEqual(await read(s), { value: 0, active: true }, 'offset did not move');
    await commit(g, topic, { 0: 3 });
    assert.deepEqual(await read(s), { value: 4, active: true }, 'offset moved');
    await s.close();
  });

  test('without topic, sums every topic the group committed to, named s<i>-kafka-<group>-topics', async () => {
    const a = await topicWith([5]);
    const b = await topicWith([3, 3]);
    await topicWith([100]); // not consumed by the group: ignored
    const g = group();
    await commit(g, a, { 0: 1 });
    await commit(g, b, { 0: 3, 1: 0 });
    const s = await build({
      bootstrapServers: cluster.brokers[0] ?? '',
      consumerGroup: g,
      allowIdleConsumers: 'true',
    });
    assert.equal(s.metricSpecs[0]?.name, `s0-kafka-${g}-topics`);
    assert.deepEqual(await read(s), { value: 7, active: true });
    await s.close();
  });

  test('a topic that does not exist is a ScalerError naming the step', async () => {
    const s = await build({
      bootstrapServers: cluster.brokers[0] ?? '',
      consumerGroup: group(),
      topic: 'tide-missing-topic',
    });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /\(kafka\): Kafka at 127\.0\.0\.1:\d+: describing topics: /);
      return true;
    });
    await s.close();
  });

  test('a cluster that goes away after creation makes the poll reject with a ScalerError', async () => {
    const own = await startKafka();
    let stopped = false;
    try {
      const s = await build({
        bootstrapServers: own.brokers[0] ?? '',
        consumerGroup: 'g',
        topic: 't',
      });
      await own.stop();
      stopped = true;
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, /Kafka at 127\.0\.0\.1:\d+/);
        return true;
      });
      await s.close();
    } finally {
      if (!stopped) await own.stop();
    }
  });

  test('a closed port fails creation with a ScalerError naming the brokers', async () => {
    const port = await freePort();
    await assert.rejects(
      build({ bootstrapServers: `127.0.0.1:${port}`, consumerGroup: 'g', topic: 't' }),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(e.message, new RegExp(`cannot connect to Kafka at 127\\.0\\.0\\.1:${port}: `));
        return true;
      },
    );
  });
});

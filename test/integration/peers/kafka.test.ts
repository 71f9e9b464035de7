import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../../support/peers.js';

let cluster: KafkaCluster;
let kafka: Kafka;
let admin: Admin;

before(async () => {
  cluster = await startKafka();
  kafka = new Kafka({
    clientId: 'tide-peers-test',
    brokers: cluster.brokers,
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin?.disconnect();
  await cluster?.stop();
});

test('the Kafka peer creates a topic, takes messages and reports the lag of a committed group', async () => {
  const topic = `orders-${process.pid}-${Date.now()}`;
  const groupId = `workers-${process.pid}-${Date.now()}`;
  assert.equal(
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }),
    true,
  );

  const producer = kafka.producer();
  await producer.connect();
  try {
    // 4 + 3 + 3 messages over the three partitions.
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 3, value: `m${i}` })),
    });
  } finally {
    await producer.disconnect();
  }

  await admin.setOffsets({
    groupId,
    topic,
    partitions: [
      { partition: 0, offset: '1' },
      { partition: 1, offset: '3' },
      { partition: 2, offset: '0' },
    ],
  });

  const high = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
  );
  assert.deepEqual([...high.entries()].sort(), [
    [0, 4],
    [1, 3],
    [2, 3],
  ]);
  const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
  const lag = committed.reduce(
    (sum, p) => sum + (high.get(p.partition) ?? 0) - Number(p.offset),
    0,
  );
  assert.equal(lag, 3 + 0 + 3);
});

test('the Kafka peer with SASL accepts its user and rejects a wrong password', async () => {
  const secured = await startKafka({
    sasl: [{ mechanism: 'SCRAM-SHA-256', username: 'tide', password: 'right' }],
  });
  try {
    const connectAs = async (password: string): Promise<void> => {
      const a = new Kafka({
        brokers: secured.brokers,
        logLevel: logLevel.NOTHING,
        sasl: { mechanism: 'scram-sha-256', username: 'tide', password },
        retry: { retries: 0 },
      }).admin();
      try {
        await a.connect();
        await a.listTopics();
      } finally {
        await a.disconnect();
      }
    };
    await connectAs('right');
    await assert.rejects(connectAs('wrong'), /SASL|authentication/i);
  } finally {
    await secured.stop();
  }
});

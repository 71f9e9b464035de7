/**
 * The `kafka` trigger, KEDA kafka_scaler.go: the consumer group's lag, summed over the topic's
 * partitions (or over every topic the group has committed offsets for), with KEDA's rules for
 * uncommitted offsets, persistent lag and the cap by partition count (kafka-lag.ts). Each poll
 * reads the topic's partitions, the group's committed offsets and the latest offsets.
 */
import type { Admin } from 'kafkajs';
import { errorMessage } from '../../errors.js';
import { defineScaler } from '../core/define.js';
import { closeKafkaAdmin, kafkaPoolKey, kafkaSecrets, openKafkaAdmin } from './client.js';
import {
  INVALID_OFFSET,
  totalLag,
  type OffsetsSnapshot,
  type PreviousOffsets,
} from './lag.js';
import { buildKafkaMeta, kafkaSchema, type KafkaMeta } from './metadata.js';
import { metricName } from '../core/metric-name.js';
import { sourceScaler } from '../core/source-scaler.js';
import type { Scaler, ScalerContext } from '../core/types.js';

/** KEDA's metric name: `kafka-<topic>`, or `kafka-<group>-topics` without a topic. */
export function kafkaMetricName(
  triggerIndex: number,
  m: Pick<KafkaMeta, 'topic' | 'group'>,
): string {
  return metricName(triggerIndex, m.topic ? `kafka-${m.topic}` : `kafka-${m.group}-topics`);
}

/** A step's failure, with what was being done (KEDA's "error describing topics: ..."). */
class Step extends Error {}
async function step<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new Step(`${what}: ${errorMessage(e)}`, { cause: e });
  }
}

/**
 * The group's committed offsets. A group that never committed is "no offsets" (-1): Kafka answers
 * that way, while some brokers (kfake, KIP-848 coordinators) answer GROUP_ID_NOT_FOUND.
 */
async function groupOffsets(admin: Admin, group: string, topics: string[]) {
  try {
    return await admin.fetchOffsets({ groupId: group, topics });
  } catch (e) {
    if ((e as { type?: unknown }).type === 'GROUP_ID_NOT_FOUND') return [];
    throw new Step(`listing offsets of group "${group}": ${errorMessage(e)}`, { cause: e });
  }
}

/** KEDA isActivePartition: the topic's partitions, only those listed when a limitation is set. */
export function selectPartitions(ids: readonly number[], limitation?: readonly number[]): number[] {
  return ids.filter((id) => !limitation || limitation.includes(id)).sort((a, b) => a - b);
}

/** Topics and partitions to count (KEDA getTopicPartitions) plus both offset sets. */
export async function readOffsets(admin: Admin, m: KafkaMeta): Promise<OffsetsSnapshot> {
  const consumer = new Map<string, Map<number, number>>();
  let topics: string[];
  if (m.topic !== undefined) {
    topics = [m.topic];
  } else {
    // KEDA lists the group's committed offsets (OffsetFetch with null topics); kafkajs cannot send
    // null, so ask for every topic and keep those where the group has committed something.
    const all = (await step('listing topics', admin.listTopics())).filter(
      (t) => !t.startsWith('__'),
    );
    const fetched = all.length ? await groupOffsets(admin, m.group, all) : [];
    topics = fetched
      .filter((t) => t.partitions.some((p) => Number(p.offset) !== INVALID_OFFSET))
      .map((t) => t.topic);
  }
  const partitions = new Map<string, number[]>();
  if (topics.length === 0) return { partitions, consumer, latest: new Map() };
  const md = await step('describing topics', admin.fetchTopicMetadata({ topics }));
  for (const t of md.topics) {
    const ids = selectPartitions(
      t.partitions.map((p) => p.partitionId),
      m.partitionLimitation,
    );
    if (ids.length === 0)
      throw new Step(`expected at least one active partition within the topic "${t.name}"`);
    partitions.set(t.name, ids);
  }
  if (partitions.size !== topics.length)
    throw new Step(`expected ${topics.length} topic(s), got ${partitions.size}`);
  const offsets = await groupOffsets(admin, m.group, topics);
  for (const t of offsets)
    consumer.set(t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)])));
  const latest = new Map<string, Map<number, number>>();
  await Promise.all(
    topics.map(async (topic) => {
      const r = await step(`reading latest offsets of "${topic}"`, admin.fetchTopicOffsets(topic));
      latest.set(topic, new Map(r.map((p) => [p.partition, Number(p.high)])));
    }),
  );
  return { partitions, consumer, latest };
}

function createKafkaScaler(meta: KafkaMeta, ctx: ScalerContext): Promise<Scaler> {
  const where = `Kafka at ${meta.brokers.join(',')}`;
  const name = kafkaMetricName(ctx.triggerIndex, meta);
  // excludePersistentLag compares with the previous poll's committed offsets.
  const previous: PreviousOffsets = new Map();
  return sourceScaler<Admin>({
    ctx,
    secrets: kafkaSecrets(meta),
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.lagThreshold }],
    connection: {
      key: kafkaPoolKey(meta),
      open: () => openKafkaAdmin(meta, ctx.logger),
      close: closeKafkaAdmin,
      failure: `cannot connect to ${where}`,
    },
    async read({ client, call }) {
      const snap = await call(
        // A Step already says what it was doing ("describing topics: ...").
        (e) => (e instanceof Step ? where : `reading ${where} failed`),
        readOffsets(client, meta),
      );
      const r = totalLag(snap, previous, meta);
      ctx.logger.debug(r, 'kafka lag');
      return {
        metrics: [{ name, value: r.totalLag }],
        isActive: r.totalLagWithPersistent > meta.activationLagThreshold,
      };
    },
  });
}

const NOTES = [
  "Per poll: the topic's partitions (after `partitionLimitation`), the group's committed offsets and",
  'the latest offsets. A partition without a committed offset counts 1 with',
  '`offsetResetPolicy: latest` and its latest offset with `earliest` (0 for both with',
  '`scaleToZeroOnInvalidOffset`). Unless `allowIdleConsumers`, the metric is capped so that',
  '`lag / lagThreshold` (integer division, as KEDA) is at most the partition count (or the',
  'partitions with lag, with `limitToPartitionsWithLag`). Active when the lag including persistent',
  'lag is greater than `activationLagThreshold`. Without `topic`, every topic where the group has',
  'committed an offset is summed. Uses kafkajs: `version` and `fullMetadata` are validated only.',
  'SASL `gssapi` and the `aws_msk_iam` token provider are validated as KEDA validates them and',
  'accepted with a warning; the trigger then fails with "not supported by tide" (no Kerberos or AWS',
  'client).',
].join('\n');

export const kafka = defineScaler({
  type: 'kafka',
  description: 'Lag of a Kafka consumer group on a topic (or on all topics it consumes).',
  notes: NOTES,
  metadata: kafkaSchema,
  build: buildKafkaMeta,
  create: createKafkaScaler,
});

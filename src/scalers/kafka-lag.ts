/**
 * KEDA's Kafka lag arithmetic (kafka_scaler.go `getLagForPartition`, `getTotalLag`), pure so each
 * rule can be checked with a table: the invalid-offset cases, persistent lag, the cap by
 * partition count and the even-distribution rounding.
 */
import type { KafkaMeta } from './kafka-metadata.js';

/** Kafka's "no committed offset" marker. */
export const INVALID_OFFSET = -1;

type LagOptions = Pick<
  KafkaMeta,
  | 'lagThreshold'
  | 'offsetResetPolicy'
  | 'allowIdleConsumers'
  | 'excludePersistentLag'
  | 'scaleToZeroOnInvalidOffset'
  | 'limitToPartitionsWithLag'
  | 'ensureEvenDistributionOfPartitions'
>;

/** One read of the cluster: per topic, per partition id. */
export interface OffsetsSnapshot {
  /** Partitions to count, per topic (after partitionLimitation). */
  partitions: Map<string, number[]>;
  /** Committed offset of the group; absent or -1 = none. */
  consumer: Map<string, Map<number, number>>;
  /** Latest (high-water) offset. */
  latest: Map<string, Map<number, number>>;
}

/** Committed offsets seen at the previous poll (excludePersistentLag); updated in place. */
export type PreviousOffsets = Map<string, Map<number, number>>;

export interface LagResult {
  /** The metric: lag after the persistent-lag rule and the caps. */
  totalLag: number;
  /** For activation: lag including persistent lag, uncapped. */
  totalLagWithPersistent: number;
  partitions: number;
  partitionsWithLag: number;
}

/** KEDA getLagForPartition: [lag for the metric, lag for activation]. */
export function partitionLag(
  topic: string,
  partition: number,
  snap: OffsetsSnapshot,
  previous: PreviousOffsets,
  o: LagOptions,
): [number, number] {
  const consumer = snap.consumer.get(topic)?.get(partition) ?? INVALID_OFFSET;
  if (consumer === INVALID_OFFSET && o.offsetResetPolicy === 'latest') {
    // Nothing committed yet: a consumer would start at the end, so only "something may come".
    const v = o.scaleToZeroOnInvalidOffset ? 0 : 1;
    return [v, v];
  }
  // A partition missing from the latest-offset answer counts as offset 0 (Go's map zero value).
  const latest = snap.latest.get(topic)?.get(partition) ?? 0;
  if (consumer === INVALID_OFFSET) {
    // earliest: a new consumer would read the whole partition.
    return o.scaleToZeroOnInvalidOffset ? [0, 0] : [latest, latest];
  }
  const lag = latest - consumer;
  if (o.excludePersistentLag) {
    let seen = previous.get(topic);
    if (!seen) previous.set(topic, (seen = new Map<number, number>()));
    const before = seen.get(partition);
    // The consumer is stuck on the same offset since the last poll (a poison message, say):
    // its lag must not add replicas, but it still keeps the workload active.
    if (before !== undefined && before === consumer) return [0, lag];
    seen.set(partition, consumer);
  }
  return [lag, lag];
}

/** Factors of n in ascending order (KEDA FindFactors). */
export function factors(n: number): number[] {
  if (n < 1) return [];
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    small.push(i);
    if (i !== n / i) large.unshift(n / i);
  }
  return [...small, ...large];
}

/** KEDA getTotalLag, after the offsets were read. */
export function totalLag(
  snap: OffsetsSnapshot,
  previous: PreviousOffsets,
  o: LagOptions,
): LagResult {
  let total = 0;
  let withPersistent = 0;
  let partitions = 0;
  let withLag = 0;
  for (const [topic, ids] of snap.partitions) {
    for (const id of ids) {
      const [lag, lagP] = partitionLag(topic, id, snap, previous, o);
      total += lag;
      withPersistent += lagP;
      if (lag > 0) withLag++;
    }
    partitions += ids.length;
  }
  if (!o.allowIdleConsumers || o.limitToPartitionsWithLag) {
    // More consumers than partitions would sit idle: cap the metric at upperBound replicas.
    let upperBound = partitions;
    // With no partition lagging keep the partition count, so the cap never forces zero.
    if (o.limitToPartitionsWithLag && withLag > 0) upperBound = withLag;
    // Go integer division, as KEDA compares.
    if (Math.trunc(total / o.lagThreshold) > upperBound) total = upperBound * o.lagThreshold;
  }
  if (o.ensureEvenDistributionOfPartitions) {
    const f = factors(partitions).find((x) => x * o.lagThreshold >= total);
    if (f !== undefined) total = f * o.lagThreshold;
  }
  return {
    totalLag: total,
    totalLagWithPersistent: withPersistent,
    partitions,
    partitionsWithLag: withLag,
  };
}

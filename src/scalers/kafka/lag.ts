/**
 * KEDA's Kafka lag arithmetic (kafka_scaler.go `getLagForPartition`, `getTotalLag`), pure so each
 * rule can be checked with a table: the invalid-offset cases, persistent lag, the cap by
 * partition count and the even-distribution rounding.
 */
import type { KafkaMeta } from './metadata.js';

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
  snap: Pick<OffsetsSnapshot, 'consumer' | 'latest'>,
  previous: PreviousOffsets,
  o: Pick<LagOptions, 'offsetResetPolicy' | 'excludePersistentLag' | 'scaleToZeroOnInvalidOffset'>,
): [number, number] {
  const consumer = snap.consumer.get(topic)?.get(partition) ?? INVALID_OFFSET;
  if (consumer === INVALID_OFFSET) {
    // Nothing committed yet: with `latest` a consumer would start at the end, so only
    // "something may come"; with `earliest` it would read the whole partition (below).
    if (o.offsetResetPolicy === 'latest') {
      const v = o.scaleToZeroOnInvalidOffset ? 0 : 1;
      return [v, v];
    }
    if (o.scaleToZeroOnInvalidOffset) return [0, 0];
  }
  // A partition the latest-offset answer left out (Azure Event Hubs does, now and then) has no
  // known lag: 0, never a negative number.
  const latest = snap.latest.get(topic)?.get(partition);
  if (latest === undefined) return [0, 0];
  if (consumer === INVALID_OFFSET) return [latest, latest];
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

/**
 * KEDA getNextFactorThatBalancesConsumersToTopicPartitions: the smallest factor of the partition
 * count whose multiple of lagThreshold covers the lag (the partition count when none does).
 */
export function nextFactor(lag: number, partitions: number, lagThreshold: number): number {
  return factors(partitions).find((f) => f * lagThreshold >= lag) ?? partitions;
}

/**
 * KEDA getTotalLag, after the offsets were read: per partition of the latest-offset answer
 * (a partition it left out is not counted, as in KEDA), then even distribution and the cap.
 */
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
    const answered = ids.filter((id) => snap.latest.get(topic)?.has(id));
    for (const id of answered) {
      const [lag, lagP] = partitionLag(topic, id, snap, previous, o);
      total += lag;
      withPersistent += lagP;
      if (lag > 0) withLag++;
    }
    partitions += answered.length;
  }
  if (!o.allowIdleConsumers || o.limitToPartitionsWithLag || o.ensureEvenDistributionOfPartitions) {
    // More consumers than partitions would sit idle: cap the metric at upperBound replicas.
    if (o.ensureEvenDistributionOfPartitions)
      total = nextFactor(total, partitions, o.lagThreshold) * o.lagThreshold;
    const upperBound = o.limitToPartitionsWithLag ? withLag : partitions;
    // Go integer division, as KEDA compares.
    if (Math.trunc(total / o.lagThreshold) > upperBound) total = upperBound * o.lagThreshold;
  }
  return {
    totalLag: total,
    totalLagWithPersistent: withPersistent,
    partitions,
    partitionsWithLag: withLag,
  };
}

/**
 * Maps a trigger `type` to its scaler definition. One sorted array (a unit test keeps it
 * sorted and unique, in the spirit of KEDA's sort_scalers.sh), turned into a Map.
 *
 * Definitions are held erased (`AnyScalerDefinition`): each has its own metadata type, and the
 * meta a definition's `parse` returns is accepted back only by that definition's `create`.
 */
import { celery } from './celery/celery.js';
import { cron } from './cron.js';
import { erase } from './core/define.js';
import { kafka } from './kafka/kafka.js';
import { metricsApi } from './metrics-api.js';
import { mongodb } from './mongodb.js';
import { mysqlScaler } from './mysql.js';
import { natsJetStream } from './nats-jetstream.js';
import { postgresql } from './postgresql/postgresql.js';
import { prometheus } from './prometheus.js';
import { rabbitmq } from './rabbitmq/rabbitmq.js';
import { redis, redisCluster, redisSentinel } from './redis/redis.js';
import { cpu, memory } from './resource/resource.js';
import { redisClusterStreams, redisSentinelStreams, redisStreams } from './redis/streams.js';
import type { AnyScalerDefinition } from './core/types.js';

export const scalerDefinitions: readonly AnyScalerDefinition[] = [
  erase(celery),
  erase(cpu),
  erase(cron),
  erase(kafka),
  erase(memory),
  erase(metricsApi),
  erase(mongodb),
  erase(mysqlScaler),
  erase(natsJetStream),
  erase(postgresql),
  erase(prometheus),
  erase(rabbitmq),
  erase(redis),
  erase(redisCluster),
  erase(redisClusterStreams),
  erase(redisSentinel),
  erase(redisSentinelStreams),
  erase(redisStreams),
];

const byType = new Map<string, AnyScalerDefinition>(scalerDefinitions.map((d) => [d.type, d]));

export function getScalerDefinition(type: string): AnyScalerDefinition | undefined {
  return byType.get(type);
}

/**
 * A trigger type tide has no scaler for. KEDA's admission accepts any type (only building the
 * scaler fails), so this is a warning: the trigger fails each round, the others still scale.
 */
export function unknownTypeWarning(type: string): string {
  const known = scalerDefinitions.map((d) => d.type).join(', ');
  return `tide has no scaler for trigger type ${JSON.stringify(type)} (known types: ${known}). KEDA accepts any type; this trigger fails each round`;
}

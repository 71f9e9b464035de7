/** Every conformance table, in the order the counts are printed. */
import { admissionTables } from './admission.js';
import { executorTables } from './engine/executor.js';
import { fallbackTables } from './engine/fallback.js';
import { formulaTables } from './engine/formula.js';
import { scaledJobTables } from './engine/scaled-job.js';
import type { AnyTable } from './harness.js';
import { cronTables } from './scalers/cron.js';
import { kafkaTables } from './scalers/kafka.js';
import { metricsApiTables } from './scalers/metrics-api.js';
import { mongodbTables } from './scalers/mongodb.js';
import { mysqlTables } from './scalers/mysql.js';
import { natsJetStreamTables } from './scalers/nats-jetstream.js';
import { postgresqlTables } from './scalers/postgresql.js';
import { prometheusTables } from './scalers/prometheus.js';
import { rabbitmqTables } from './scalers/rabbitmq.js';
import { redisStreamsTables } from './scalers/redis-streams.js';
import { redisTables } from './scalers/redis.js';
import { resourceTables } from './scalers/resource.js';

export const tables: readonly AnyTable[] = [
  ...redisTables,
  ...redisStreamsTables,
  ...mongodbTables,
  ...postgresqlTables,
  ...mysqlTables,
  ...rabbitmqTables,
  ...kafkaTables,
  ...natsJetStreamTables,
  ...cronTables,
  ...prometheusTables,
  ...metricsApiTables,
  ...resourceTables,
  ...executorTables,
  ...fallbackTables,
  ...scaledJobTables,
  ...formulaTables,
  ...admissionTables,
];

/** Every conformance table, in the order the counts are printed. */
import type { AnyTable } from './harness.js';
import { kafkaTables } from './scalers/kafka.js';
import { mongodbTables } from './scalers/mongodb.js';
import { mysqlTables } from './scalers/mysql.js';
import { natsJetStreamTables } from './scalers/nats-jetstream.js';
import { postgresqlTables } from './scalers/postgresql.js';
import { rabbitmqTables } from './scalers/rabbitmq.js';
import { redisStreamsTables } from './scalers/redis-streams.js';
import { redisTables } from './scalers/redis.js';

export const tables: readonly AnyTable[] = [
  ...redisTables,
  ...redisStreamsTables,
  ...mongodbTables,
  ...postgresqlTables,
  ...mysqlTables,
  ...rabbitmqTables,
  ...kafkaTables,
  ...natsJetStreamTables,
];

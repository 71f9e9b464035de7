/** Every conformance table, in the order the counts are printed. */
import type { AnyTable } from './harness.js';
import { redisStreamsTables } from './scalers/redis-streams.js';
import { redisTables } from './scalers/redis.js';

export const tables: readonly AnyTable[] = [...redisTables, ...redisStreamsTables];

/**
 * The Redis list triggers, KEDA redis_scaler.go: `redis`, `redis-cluster`, `redis-sentinel`.
 * One Lua script per poll (batched per server and turn: redis-batch.ts) counts the key whatever its type (list, set, sorted set, hash; missing =
 * 0), so the read is a single round trip and atomic. Active when count > activationListLength.
 */
import { errorMessage, ScalerError } from '../../errors.js';
import { defineScaler } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { evalKeyBatched } from './batch.js';
import { acquireRedis, connectionSecrets, type RedisClient } from './client.js';
import {
  buildListMeta,
  redisListSchema,
  redisSentinelListSchema,
  type RedisListMeta,
  type RedisMode,
} from './metadata.js';
import { watchKey, type PushHolder, type WatchStop } from './watch.js';
import { maybeReap, reaped, workerReads } from '../celery/workers.js';
import { abortable } from '../core/source-scaler.js';
import { scrub } from '../core/scrub.js';
import type { Scaler, ScalerContext } from '../core/types.js';

/** KEDA's script, with the key type named in the error so the message can say what was found. */
export const LIST_LENGTH_SCRIPT = `
local t = redis.call('TYPE', KEYS[1]).ok
local cmd = { zset = 'ZCARD', set = 'SCARD', list = 'LLEN', hash = 'HLEN' }
if t == 'none' then return 0 end
local c = cmd[t]
if not c then return redis.error_reply('ERR unsupported key type ' .. t) end
return redis.call(c, KEYS[1])`;


async function createListScaler(meta: RedisListMeta, ctx: ScalerContext): Promise<Scaler> {
  const conn = await acquireRedis(meta.connection, ctx);
  const client: RedisClient = conn.client;
  const name = metricName(ctx.triggerIndex, `redis-${meta.listName}`);
  const secrets = connectionSecrets(meta.connection);
  const push: PushHolder = {};
  const stop: WatchStop = { closed: false };
  let closed = false;

  const scaler: Scaler = {
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.listLength }],

    async getMetricsAndActivity(signal) {
      if (closed) throw new ScalerError(ctx.triggerRef, 'scaler is closed');
      let reply: unknown;
      try {
        reply = await abortable(evalKeyBatched(client, LIST_LENGTH_SCRIPT, meta.listName), signal);
      } catch (e) {
        const msg = errorMessage(e);
        const type = /unsupported key type (\S+)/.exec(msg)?.[1];
        const why = type
          ? `key "${meta.listName}" is a ${type}: unsupported key type (only list, set, zset and hash are counted)`
          : `reading key "${meta.listName}" failed: ${scrub(msg, secrets)}`;
        throw new ScalerError(ctx.triggerRef, why, { cause: e });
      }
      const count = Number(reply);
      maybeReap(client, (n, workers) => reaped(ctx, n, workers));
      return { metrics: [{ name, value: count }], isActive: count > meta.activationListLength };
    },

    watch(signal) {
      return watchKey(client, meta.connection, meta.listName, ctx, signal, push, stop);
    },

    ...workerReads(client, ctx, secrets),

    pushState: () => push.current?.(),

    async close() {
      if (closed) return;
      closed = true;
      stop.closed = true;
      stop.wake?.();
      await conn.release();
    },
  };
  return scaler;
}

/** What docs/scalers.md says about reading and pushing. */
const LIST_NOTES = [
  'One Lua script per poll (`EVALSHA`, pipelined with the other triggers on the same server that poll at the same moment): `TYPE`, then `LLEN` / `SCARD` / `ZCARD` / `HLEN`; a missing key counts 0,',
  'any other type is an error naming the key. Active when the count is greater than',
  '`activationListLength`. The connection is PINGed when the trigger is built and shared by',
  'triggers with the same server and credentials.',
  '',
  'Push wake-ups (tide only): `redis` and `redis-sentinel` subscribe to keyspace notifications',
  '(`__keyspace@<databaseIndex>__:<listName>`) and, if the server lacks the needed',
  '`notify-keyspace-events` flags, add them with `CONFIG SET` and check them with `CONFIG GET`,',
  'again after every reconnect (a restarted Redis has lost them). When `CONFIG` is denied (ACL,',
  'managed Redis) the trigger is polled every `pollingInterval` as in KEDA, and `tide status`',
  'says "polling only" with the reason. `redis-cluster` is polled only.',
  '',
  "With tide's Celery workers on the same Redis (tide only): before a scale-in tide reads which",
  "replicas run tasks from the workers' registry (`_tide.worker.*`) and removes idle ones first, and",
  'every few seconds the trigger gives back the tasks of registered workers that died (their',
  "record expired) instead of leaving them to kombu's visibility timeout. Without such workers",
  'this costs one `ZRANGE` every 5 s.',
].join('\n');

function listDefinition(type: string, mode: RedisMode, description: string) {
  return defineScaler({
    type,
    description,
    notes: LIST_NOTES,
    metadata: redisListSchema,
    build: (f, ctx) => buildListMeta(f, mode, ctx),
    create: createListScaler,
  });
}

export const redis = listDefinition(
  'redis',
  'standalone',
  'Length of a Redis list (or size of a set, sorted set or hash) on a standalone server.',
);

export const redisCluster = listDefinition(
  'redis-cluster',
  'cluster',
  'Length of a Redis list (or set, sorted set, hash) in a Redis Cluster; `address` lists the seed nodes.',
);

export const redisSentinel = defineScaler({
  type: 'redis-sentinel',
  description:
    'Length of a Redis list (or set, sorted set, hash) on the master that Redis Sentinel reports.',
  notes: LIST_NOTES,
  metadata: redisSentinelListSchema,
  build: (f, ctx) => buildListMeta(f, 'sentinel', ctx),
  create: createListScaler,
});

/**
 * The Redis stream triggers, KEDA redis_streams_scaler.go: `redis-streams`,
 * `redis-cluster-streams`, `redis-sentinel-streams`. The mode follows what is set:
 * - no `consumerGroup`: stream length (`XLEN`), target `streamLength`;
 * - `consumerGroup` and `lagCount` ≠ 0: the group's lag from `XINFO GROUPS` (Redis ≥ 7);
 * - `consumerGroup` only: pending entries (`XPENDING`), target `pendingEntriesCount`.
 * Activation compares the count with `activationLagCount` in every mode, as KEDA does.
 * The connection (addresses, credentials, TLS, sentinel) is the list triggers' own.
 */
import { z } from 'zod';
import { errorMessage, ScalerError } from '../../errors.js';
import { defineScaler, field, type BuildContext } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { int, text } from '../core/params.js';
import { acquireRedis, connectionSecrets, type RedisClient } from './client.js';
import {
  buildConnection,
  connectionFields,
  sentinelFields,
  type RedisConnection,
  type RedisMode,
} from './metadata.js';
import { watchStream } from './streams-watch.js';
import { abortable } from '../core/source-scaler.js';
import { scrub } from '../core/scrub.js';
import type { Scaler, ScalerContext } from '../core/types.js';

export type StreamMode = 'length' | 'pending' | 'lag';

export interface RedisStreamsMeta {
  stream: string;
  consumerGroup?: string;
  mode: StreamMode;
  /** The target of the chosen mode: streamLength, pendingEntriesCount or lagCount. */
  target: number;
  activationLagCount: number;
  connection: RedisConnection;
}

export const streamFields = {
  stream: field(text(), { doc: 'Name of the stream (key).' }),
  consumerGroup: field(text().optional(), {
    doc: 'Consumer group; with it the trigger counts pending entries (or lag, with `lagCount`).',
  }),
  pendingEntriesCount: field(int().default(5), {
    doc: 'Target pending entries per replica (with `consumerGroup`, without `lagCount`).',
  }),
  streamLength: field(int().default(5), {
    doc: 'Target stream length per replica (without `consumerGroup`).',
  }),
  lagCount: field(int().default(0), {
    doc: 'Target group lag per replica; non-zero with `consumerGroup` selects lag mode (Redis >= 7).',
  }),
  activationLagCount: field(int().default(0), {
    role: 'activation',
    doc: 'Active when the count (of whichever mode) is greater than this.',
  }),
};

const streamsSchema = z.object({ ...streamFields, ...connectionFields });
const sentinelStreamsSchema = z.object({ ...streamFields, ...connectionFields, ...sentinelFields });

type StreamInput = z.output<typeof streamsSchema> &
  Partial<z.output<z.ZodObject<typeof sentinelFields>>>;

/** KEDA's parseRedisStreamsMetadata: picks the mode and its target. */
export function buildStreamsMeta(
  f: StreamInput,
  mode: RedisMode,
  ctx: BuildContext,
): RedisStreamsMeta {
  const connection = buildConnection(f, mode, ctx);
  const base = { stream: f.stream, activationLagCount: f.activationLagCount, connection };
  // The target is whichever count the mode uses; the others are ignored, as in KEDA.
  if (f.consumerGroup === undefined) {
    ctx.target('streamLength');
    return { ...base, mode: 'length', target: f.streamLength };
  }
  if (f.lagCount !== 0) {
    ctx.target('lagCount');
    return { ...base, consumerGroup: f.consumerGroup, mode: 'lag', target: f.lagCount };
  }
  ctx.target('pendingEntriesCount');
  return {
    ...base,
    consumerGroup: f.consumerGroup,
    mode: 'pending',
    target: f.pendingEntriesCount,
  };
}


/** `redis_version:7.0.15` from INFO server, as its major number. */
export function majorVersion(info: string): number | undefined {
  const m = /^redis_version:(\d+)\./m.exec(info);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** XINFO GROUPS reply (flat field/value arrays) → the named group's fields, if present. */
export function findGroup(reply: unknown, group: string): Map<string, unknown> | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const g of reply as unknown[]) {
    if (!Array.isArray(g)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) fields.set(String(g[i]), g[i + 1]);
    if (fields.get('name') === group) return fields;
  }
  return undefined;
}

async function readLag(client: RedisClient, meta: RedisStreamsMeta): Promise<number> {
  let reply: unknown;
  try {
    reply = await client.xinfo('GROUPS', meta.stream);
  } catch (e) {
    // KEDA: a missing stream has no lag.
    if (/no such key/i.test(errorMessage(e))) return 0;
    throw e;
  }
  const g = findGroup(reply, meta.consumerGroup ?? '');
  // KEDA: a group not created yet will have to read the whole stream.
  if (!g) return client.xlen(meta.stream);
  const lag = g.get('lag');
  // Redis answers nil when the lag cannot be computed (entries deleted inside the group's
  // range). KEDA's client reads that as -1 (0 for the HPA, never active), which can scale a
  // busy group to zero; the stream length is a safe upper bound instead
  // (docs/keda-differences.md#redis-streams-nil-lag).
  if (lag === null || lag === undefined) return client.xlen(meta.stream);
  return Number(lag);
}

async function createStreamsScaler(meta: RedisStreamsMeta, ctx: ScalerContext): Promise<Scaler> {
  const conn = await acquireRedis(meta.connection, ctx);
  const client = conn.client;
  const name = metricName(ctx.triggerIndex, `redis-streams-${meta.stream}`);
  const secrets = connectionSecrets(meta.connection);
  let versionChecked = false;
  let closed = false;

  async function count(): Promise<number> {
    switch (meta.mode) {
      case 'length':
        return client.xlen(meta.stream);
      case 'pending': {
        const r = await client.xpending(meta.stream, meta.consumerGroup ?? '');
        return Number(r[0] ?? 0);
      }
      case 'lag': {
        // XINFO GROUPS reports `lag` only from Redis 7 on. KEDA asks INFO every poll; the
        // server behind a connection does not change version, so once is enough.
        if (!versionChecked) {
          const v = majorVersion(await client.info('server'));
          if (v === undefined || v < 7)
            throw new Error(
              `lag mode (lagCount) needs Redis 7 or newer, the server is ${v ?? '?'}.x`,
            );
          versionChecked = true;
        }
        return readLag(client, meta);
      }
    }
  }

  return {
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.target }],

    async getMetricsAndActivity(signal) {
      if (closed) throw new ScalerError(ctx.triggerRef, 'scaler is closed');
      let value: number;
      try {
        value = await abortable(count(), signal);
      } catch (e) {
        const msg = scrub(errorMessage(e), secrets);
        const why = /NOGROUP/.test(msg)
          ? `consumer group "${meta.consumerGroup}" does not exist on stream "${meta.stream}" (${msg})`
          : `reading stream "${meta.stream}" failed: ${msg}`;
        throw new ScalerError(ctx.triggerRef, why, { cause: e });
      }
      return {
        metrics: [{ name, value }],
        isActive: value > meta.activationLagCount,
      };
    },

    watch(signal) {
      return watchStream(client, meta.connection, meta.stream, ctx, signal);
    },

    async close() {
      if (closed) return;
      closed = true;
      await conn.release();
    },
  };
}

const NOTES = [
  'Mode by what is set: no `consumerGroup` ⇒ `XLEN` (target `streamLength`); `consumerGroup`',
  'and a non-zero `lagCount` ⇒ the group `lag` from `XINFO GROUPS` (Redis 7+; a missing stream',
  'counts 0, a missing group counts the whole stream); `consumerGroup` only ⇒ `XPENDING` count',
  '(target `pendingEntriesCount`; a missing group is an error). Activation uses',
  '`activationLagCount` in every mode, as in KEDA. Where Redis reports the lag as unknown (nil),',
  "tide counts the stream length instead of KEDA's 0.",
  '',
  'Push wake-ups (tide only): `redis-streams` and `redis-sentinel-streams` wait on the stream',
  'with `XREAD BLOCK` on a second connection, so a new entry wakes the round at once; no',
  '`CONFIG` is needed. `redis-cluster-streams` is polled only.',
].join('\n');

function streamsDefinition(
  type: string,
  mode: Exclude<RedisMode, 'sentinel'>,
  description: string,
) {
  return defineScaler({
    type,
    description,
    notes: NOTES,
    metadata: streamsSchema,
    build: (f, ctx) => buildStreamsMeta(f, mode, ctx),
    create: createStreamsScaler,
  });
}

export const redisStreams = streamsDefinition(
  'redis-streams',
  'standalone',
  'Length, pending entries or consumer-group lag of a Redis stream on a standalone server.',
);

export const redisClusterStreams = streamsDefinition(
  'redis-cluster-streams',
  'cluster',
  'Length, pending entries or consumer-group lag of a Redis stream in a Redis Cluster.',
);

export const redisSentinelStreams = defineScaler({
  type: 'redis-sentinel-streams',
  description:
    'Length, pending entries or consumer-group lag of a Redis stream on the master Sentinel reports.',
  notes: NOTES,
  metadata: sentinelStreamsSchema,
  build: (f, ctx) => buildStreamsMeta(f, 'sentinel', ctx),
  create: createStreamsScaler,
});

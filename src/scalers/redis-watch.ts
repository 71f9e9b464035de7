/**
 * Push wake-ups for the Redis list triggers from keyspace notifications
 * (`__keyspace@<db>__:<listName>`), so a scaler can react before the next poll.
 *
 * Notifications are off by default in Redis. `watch()` turns on the classes it needs with
 * `CONFIG SET notify-keyspace-events` (keeping the flags already set) only when the server
 * allows CONFIG; when CONFIG is denied (ACL, managed Redis) or fails, the iterable simply ends
 * and the scheduler keeps polling at `pollingInterval`. Cluster mode does not watch: events are
 * node-local, and a subscription per node is not worth it for a wake-up hint.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { RedisClient } from './redis-client.js';
import type { RedisConnection } from './redis-metadata.js';
import type { ScalerContext } from './types.js';

/** K = keyspace channel; g generic (DEL, RENAME), l s h z = the counted types, x = expired. */
const NEEDED = ['K', 'g', 'l', 's', 'h', 'z', 'x'];

/** The flags to set, or undefined when `current` already covers what the watch needs. */
export function mergeNotifyFlags(current: string): string | undefined {
  const has = (f: string) =>
    current.includes(f) || (current.includes('A') && f !== 'K' && f !== 'E');
  const missing = NEEDED.filter((f) => !has(f));
  return missing.length === 0 ? undefined : current + missing.join('');
}

async function ensureNotifications(client: Redis): Promise<void> {
  const reply = (await client.config('GET', 'notify-keyspace-events')) as string[];
  const next = mergeNotifyFlags(reply[1] ?? '');
  if (next !== undefined) await client.config('SET', 'notify-keyspace-events', next);
}

export async function* watchKey(
  client: RedisClient,
  conn: RedisConnection,
  key: string,
  ctx: Pick<ScalerContext, 'logger'>,
  signal: AbortSignal,
): AsyncIterable<void> {
  if (conn.mode === 'cluster' || signal.aborted) return;
  const redis = client as Redis;
  try {
    await ensureNotifications(redis);
  } catch (e) {
    ctx.logger.info({ err: errorMessage(e) }, 'keyspace notifications unavailable; polling only');
    return;
  }
  const sub = redis.duplicate();
  let pending = false;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onMessage = () => {
    pending = true;
    poke();
  };
  const onEnd = () => {
    ended = true;
    poke();
  };
  sub.on('error', (e: unknown) =>
    ctx.logger.debug({ err: errorMessage(e) }, 'redis watch connection error'),
  );
  sub.on('end', onEnd);
  signal.addEventListener('abort', poke);
  try {
    await sub.connect();
    await sub.subscribe(`__keyspace@${conn.databaseIndex}__:${key}`);
    sub.on('message', onMessage);
    while (!signal.aborted && !ended) {
      if (!pending) await new Promise<void>((r) => (wake = r));
      if (signal.aborted || ended) break;
      if (pending) {
        // Events that arrive while the consumer works coalesce into one wake-up.
        pending = false;
        yield;
      }
    }
  } catch (e) {
    ctx.logger.info({ err: errorMessage(e) }, 'keyspace watch stopped; polling only');
  } finally {
    signal.removeEventListener('abort', poke);
    sub.off('end', onEnd);
    sub.disconnect();
  }
}

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
import { poolKey } from './pool.js';
import { redisPoolKey, type RedisClient } from './redis-client.js';
import type { RedisConnection } from './redis-metadata.js';
import type { PooledConnection, ScalerContext } from './types.js';

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

/**
 * One subscriber connection per server + credentials, fanned out per channel: a thousand
 * triggers on one Redis hold one extra connection, not a thousand. ioredis resubscribes after a
 * reconnect by itself; `end` (no more reconnects) breaks every watch, so the scheduler retries.
 */
export class KeyspaceSubscriber {
  readonly #sub: Redis;
  readonly #channels = new Map<string, Set<() => void>>();
  readonly #onEnd = new Set<() => void>();
  #ended = false;

  constructor(sub: Redis) {
    this.#sub = sub;
    sub.on('message', (channel: string) => {
      for (const fn of this.#channels.get(channel) ?? []) fn();
    });
    sub.on('end', () => {
      this.#ended = true;
      for (const fn of this.#onEnd) fn();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  onEnd(fn: () => void): () => void {
    this.#onEnd.add(fn);
    return () => this.#onEnd.delete(fn);
  }

  /** Calls `fn` on each event on `channel` until the returned function is called. */
  async subscribe(channel: string, fn: () => void): Promise<() => Promise<void>> {
    let set = this.#channels.get(channel);
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
      try {
        await this.#sub.subscribe(channel);
      } catch (e) {
        this.#channels.delete(channel);
        throw e;
      }
    }
    set.add(fn);
    return async () => {
      set.delete(fn);
      if (set.size === 0 && this.#channels.get(channel) === set) {
        this.#channels.delete(channel);
        if (!this.#ended) await this.#sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  disconnect(): void {
    this.#sub.disconnect();
  }
}

async function openSubscriber(client: Redis, ctx: Pick<ScalerContext, 'logger'>) {
  await ensureNotifications(client);
  const sub = client.duplicate();
  sub.on('error', (e: unknown) =>
    ctx.logger.debug({ err: errorMessage(e) }, 'redis watch connection error'),
  );
  if (sub.status === 'wait') await sub.connect();
  return new KeyspaceSubscriber(sub);
}

export async function* watchKey(
  client: RedisClient,
  conn: RedisConnection,
  key: string,
  ctx: Pick<ScalerContext, 'logger' | 'pool'>,
  signal: AbortSignal,
): AsyncIterable<void> {
  if (conn.mode === 'cluster' || signal.aborted) return;
  let pooled: PooledConnection<KeyspaceSubscriber>;
  try {
    pooled = await ctx.pool.acquire(
      poolKey('redis-keyspace', redisPoolKey(conn)),
      () => openSubscriber(client as Redis, ctx),
      (s) => Promise.resolve(s.disconnect()),
    );
  } catch (e) {
    ctx.logger.info({ err: errorMessage(e) }, 'keyspace notifications unavailable; polling only');
    return;
  }
  const subscriber = pooled.client;
  let pending = false;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const offEnd = subscriber.onEnd(() => {
    ended = true;
    poke();
  });
  signal.addEventListener('abort', poke);
  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    if (subscriber.ended) return;
    unsubscribe = await subscriber.subscribe(`__keyspace@${conn.databaseIndex}__:${key}`, () => {
      pending = true;
      poke();
    });
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
    offEnd();
    await unsubscribe?.();
    await pooled.release();
  }
}

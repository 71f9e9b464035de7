/**
 * Push wake-ups for the Redis list triggers from keyspace notifications
 * (`__keyspace@<db>__:<listName>`), so a scaler can react before the next poll.
 *
 * Notifications are off by default in Redis, and `CONFIG SET` does not survive a restart. So the
 * shared subscriber turns on the classes it needs (keeping the flags already set), checks them
 * with `CONFIG GET`, and subscribes, on its first connection and again on every reconnect. When
 * CONFIG is denied (ACL, managed Redis) or fails, the trigger reports "polling only" in its
 * status and is polled every `pollingInterval`, as in KEDA; a later reconnect tries again.
 * Cluster mode does not watch: events are node-local, and a subscription per node is not worth
 * it for a wake-up hint.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import { KeyedListeners } from '../../listeners.js';
import { poolKey } from '../core/pool.js';
import { describeConnection, redisPoolKey, type RedisClient } from './client.js';
import type { RedisConnection } from './metadata.js';
import type { PooledConnection, PushState, ScalerContext } from '../core/types.js';

/** K = keyspace channel; g generic (DEL, RENAME), l s h z = the counted types, x = expired. */
const NEEDED = ['K', 'g', 'l', 's', 'h', 'z', 'x'];

/** The flags to set, or undefined when `current` already covers what the watch needs. */
export function mergeNotifyFlags(current: string): string | undefined {
  const has = (f: string) =>
    current.includes(f) || (current.includes('A') && f !== 'K' && f !== 'E');
  const missing = NEEDED.filter((f) => !has(f));
  return missing.length === 0 ? undefined : current + missing.join('');
}

async function notifyFlags(client: Redis): Promise<string> {
  const reply = (await client.config('GET', 'notify-keyspace-events')) as string[];
  return reply[1] ?? '';
}

/**
 * Makes sure the server sends the notifications the watch needs; returns the flags found
 * before (so a reset by a restart can be told). Rejects when CONFIG is denied or does not hold.
 */
export async function ensureNotifications(client: Redis): Promise<string> {
  const before = await notifyFlags(client);
  const next = mergeNotifyFlags(before);
  if (next === undefined) return before;
  await client.config('SET', 'notify-keyspace-events', next);
  const after = await notifyFlags(client);
  if (mergeNotifyFlags(after) !== undefined)
    throw new Error(`notify-keyspace-events is "${after}" after setting "${next}"`);
  return before;
}

/**
 * One subscriber connection per server + credentials, fanned out per channel: a thousand
 * triggers on one Redis hold one extra connection, not a thousand. It re-arms itself on every
 * (re)connect: notifications first (a restarted server has lost them), then every channel (it
 * subscribes itself; ioredis' own resubscribe would run before the CONFIG commands, which a
 * subscribed connection may not send). `end` (no more reconnects) breaks every watch, so the
 * scheduler retries.
 */
export class KeyspaceSubscriber {
  readonly #sub: Redis;
  readonly #logger: Logger;
  /** `Redis at host:port`, for log lines (the subscriber is shared by triggers). */
  readonly #where: string;
  readonly #channels = new KeyedListeners<string, () => void>();
  readonly #onEnd = new Set<() => void>();
  #ended = false;
  #state: PushState = { mode: 'polling only', reason: 'not connected yet' };
  #arms = 0;
  /** Settles after the first arm, whatever its outcome. */
  readonly ready: Promise<void>;

  constructor(sub: Redis, logger: Logger, where: string) {
    this.#sub = sub;
    this.#logger = logger;
    this.#where = where;
    let firstArm: () => void = () => undefined;
    this.ready = new Promise<void>((r) => (firstArm = r));
    sub.on('ready', () => void this.#arm().finally(firstArm));
    sub.on('message', (channel: string) => {
      // An event proves push works, whatever CONFIG said (an admin may have set the flags).
      if (this.#state.mode !== 'push') this.#state = { mode: 'push' };
      this.#channels.each(channel, (fn) => fn());
    });
    sub.on('end', () => {
      this.#ended = true;
      firstArm();
      for (const fn of this.#onEnd) fn();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether notifications are on, as last checked. */
  get state(): PushState {
    return this.#state;
  }

  onEnd(fn: () => void): () => void {
    this.#onEnd.add(fn);
    return () => this.#onEnd.delete(fn);
  }

  async #arm(): Promise<void> {
    const again = this.#arms++ > 0;
    const was = this.#state;
    try {
      const before = await ensureNotifications(this.#sub);
      this.#state = { mode: 'push' };
      if (again && mergeNotifyFlags(before) !== undefined)
        this.#logger.info(
          `${this.#where}: push wake-ups re-armed after a reconnect (notify-keyspace-events was "${before}")`,
        );
    } catch (e) {
      this.#state = {
        mode: 'polling only',
        reason: `cannot enable keyspace notifications: ${errorMessage(e)}`,
      };
      // Once when it starts so, and again only if push was working before (a changed server).
      const line = `${this.#where}: redis triggers polling only: ${this.#state.reason}`;
      if (was.mode === 'push') this.#logger.warn(line);
      else if (!again) this.#logger.info(line);
    }
    const channels = [...this.#channels.keys()];
    if (channels.length)
      await this.#sub.subscribe(...channels).catch((e: unknown) => {
        this.#logger.debug({ err: errorMessage(e) }, 'redis watch: resubscribe failed');
      });
  }

  /** Calls `fn` on each event on `channel` until the returned function is called. */
  async subscribe(channel: string, fn: () => void): Promise<() => Promise<void>> {
    if (this.#channels.add(channel, fn)) {
      try {
        await this.#sub.subscribe(channel);
      } catch (e) {
        this.#channels.delete(channel, fn);
        throw e;
      }
    }
    return async () => {
      if (this.#channels.delete(channel, fn) && !this.#ended)
        await this.#sub.unsubscribe(channel).catch(() => undefined);
    };
  }

  disconnect(): void {
    this.#sub.disconnect();
  }
}

async function openSubscriber(
  client: Redis,
  conn: RedisConnection,
  ctx: Pick<ScalerContext, 'logger'>,
) {
  // Subscribed again by the subscriber itself after each reconnect, once CONFIG has run.
  const sub = client.duplicate({ autoResubscribe: false });
  sub.on('error', (e: unknown) =>
    ctx.logger.debug({ err: errorMessage(e) }, 'redis watch connection error'),
  );
  const subscriber = new KeyspaceSubscriber(sub, ctx.logger, describeConnection(conn));
  try {
    if (sub.status === 'wait') await sub.connect();
  } catch (e) {
    sub.disconnect();
    throw e;
  }
  await subscriber.ready;
  return subscriber;
}

/** Where a trigger's push wake-ups stand; filled in by `watchKey`, read by the scaler's status. */
export interface PushHolder {
  current?: () => PushState;
}

/**
 * How a scaler's `close()` ends its watch (a flag and a wake-up, not an AbortController per
 * trigger: ~0.7 KB each at tens of thousands of triggers). A scaler closed after a failed read is
 * rebuilt; its watch must end so the scheduler watches through the new one.
 */
export interface WatchStop {
  closed: boolean;
  wake?: (() => void) | undefined;
}

export async function* watchKey(
  client: RedisClient,
  conn: RedisConnection,
  key: string,
  ctx: Pick<ScalerContext, 'logger' | 'pool'>,
  signal: AbortSignal,
  push: PushHolder = {},
  stop: WatchStop = { closed: false },
): AsyncIterable<void> {
  if (conn.mode === 'cluster' || signal.aborted || stop.closed) return;
  let pooled: PooledConnection<KeyspaceSubscriber>;
  try {
    pooled = await ctx.pool.acquire(
      poolKey('redis-keyspace', redisPoolKey(conn)),
      () => openSubscriber(client as Redis, conn, ctx),
      (s) => Promise.resolve(s.disconnect()),
    );
  } catch (e) {
    const state: PushState = {
      mode: 'polling only',
      reason: `cannot subscribe to keyspace notifications: ${errorMessage(e)}`,
    };
    push.current = () => state;
    ctx.logger.info({ err: errorMessage(e) }, 'keyspace notifications unavailable; polling only');
    return;
  }
  const subscriber = pooled.client;
  push.current = () => subscriber.state;
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
  stop.wake = poke;
  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    if (subscriber.ended || stop.closed) return;
    unsubscribe = await subscriber.subscribe(`__keyspace@${conn.databaseIndex}__:${key}`, () => {
      pending = true;
      poke();
    });
    while (!signal.aborted && !ended && !stop.closed) {
      if (!pending) await new Promise<void>((r) => (wake = r));
      if (signal.aborted || ended || stop.closed) break;
      if (pending) {
        // Events that arrive while the consumer works coalesce into one wake-up.
        pending = false;
        yield;
      }
    }
  } catch (e) {
    ctx.logger.info({ err: errorMessage(e) }, 'keyspace watch stopped; polling only');
  } finally {
    if (stop.wake === poke) stop.wake = undefined;
    signal.removeEventListener('abort', poke);
    offEnd();
    await unsubscribe?.();
    await pooled.release();
  }
}

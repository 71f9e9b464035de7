/**
 * The Redis transport as kombu implements it: a queue is a list (LPUSH to publish, RPOP/BRPOP
 * to consume) with priority sub-lists, delivered messages wait in the `unacked` hash and the
 * `unacked_index` sorted set until acked, and messages older than the visibility timeout are
 * restored under the `unacked_mutex`. Python workers and this one can share the same keys.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  DEFAULT_VISIBILITY_TIMEOUT,
  PRIORITY_STEPS,
  UNACKED_INDEX_KEY,
  UNACKED_KEY,
  UNACKED_MUTEX_EXPIRE,
  UNACKED_MUTEX_KEY,
  consumeKeys,
  messagePriority,
  queueKeyFor,
  queueOfKey,
} from './keys.js';
import { FETCH_LUA, RELEASE_LOCK_LUA, RESTORE_LUA, runScript } from './lua.js';
import { parseEnvelope, type Envelope } from './protocol.js';

/** A message taken from a queue (and registered in `unacked` when it has a delivery tag). */
export interface Delivery {
  raw: string;
  queue: string;
  /** null when the message could not be parsed; such a message is never registered. */
  envelope: Envelope | null;
  parseError?: Error;
  tag: string | null;
}

/** How to reach Redis: a URL (`redis://:password@host:port/db`), ioredis options, or a client to share. */
export type RedisConnection = string | RedisOptions | Redis;

export interface TransportOptions {
  /** Seconds after which an unacked message may be restored by any worker (kombu default 3600). */
  visibilityTimeout?: number;
  prioritySteps?: readonly number[];
}

/** Opens an ioredis client; a given client is used as it is. */
export function openRedis(c: RedisConnection, extra: RedisOptions = {}): Redis {
  if (c instanceof Redis) return c;
  if (typeof c === 'string') return new Redis(c, { maxRetriesPerRequest: null, ...extra });
  return new Redis({ maxRetriesPerRequest: null, ...c, ...extra });
}

/** kombu-compatible Redis transport. */
export class RedisTransport {
  /** Commands (auto-pipelined: acks and publishes of one tick travel together). */
  readonly client: Redis;
  readonly visibilityTimeout: number;
  private readonly steps: readonly number[];
  private readonly ownsClient: boolean;
  private blocking: Redis | null = null;
  private pendingAcks: string[] = [];
  private ackFlush: Promise<void> | null = null;

  constructor(conn: RedisConnection, opts: TransportOptions = {}) {
    this.ownsClient = !(conn instanceof Redis);
    this.client = openRedis(conn, { enableAutoPipelining: true });
    this.visibilityTimeout = opts.visibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT;
    this.steps = opts.prioritySteps ?? PRIORITY_STEPS;
  }

  /** kombu `_put`: LPUSH onto the queue, or its sub-list for the message's priority. */
  async publish(queue: string, env: Envelope): Promise<void> {
    const key = queueKeyFor(queue, messagePriority(env.properties.priority), this.steps);
    await this.client.lpush(key, JSON.stringify(env));
  }

  /** Takes up to `max` messages without blocking, highest priority (lowest step) first. */
  async fetch(queues: readonly string[], max: number): Promise<Delivery[]> {
    if (max <= 0 || queues.length === 0) return [];
    const keys = consumeKeys(queues, this.steps);
    const now = (Date.now() / 1000).toFixed(6);
    const out = (await runScript(
      this.client,
      FETCH_LUA,
      [UNACKED_KEY, UNACKED_INDEX_KEY, ...keys],
      [max, now],
    )) as string[] | null;
    const res: Delivery[] = [];
    for (let i = 0; out && i + 1 < out.length; i += 2) {
      const key = keys[Number(out[i]) - 1] ?? '';
      res.push(toDelivery(out[i + 1] ?? '', queueOfKey(key)));
    }
    return res;
  }

  /**
   * kombu `_brpop_start`/`_brpop_read`: BRPOP over all keys for up to `timeoutSec`, then
   * register the message as unacked. Uses its own connection, as BRPOP blocks it.
   */
  async fetchBlocking(queues: readonly string[], timeoutSec: number): Promise<Delivery | null> {
    if (!this.blocking) this.blocking = this.client.duplicate({ enableAutoPipelining: false });
    const keys = consumeKeys(queues, this.steps);
    const r = await this.blocking.brpop(...keys, timeoutSec);
    if (!r) return null;
    const d = toDelivery(r[1], queueOfKey(r[0]));
    if (d.envelope && d.tag) {
      const di = d.envelope.properties.delivery_info;
      const value = `[${d.raw}, ${JSON.stringify(di.exchange ?? '')}, ${JSON.stringify(di.routing_key ?? '')}]`;
      await Promise.all([
        this.client.zadd(UNACKED_INDEX_KEY, Date.now() / 1000, d.tag),
        this.client.hset(UNACKED_KEY, d.tag, value),
      ]);
    } else {
      d.tag = null; // not registered, so nothing to ack
    }
    return d;
  }

  /**
   * kombu `QoS.ack`: remove the tag from `unacked_index` and `unacked`. Acks of one tick are
   * sent together as one multi-member ZREM and one multi-field HDEL.
   */
  ack(tag: string | null): Promise<void> {
    if (!tag) return Promise.resolve();
    this.pendingAcks.push(tag);
    this.ackFlush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const tags = this.pendingAcks;
        this.pendingAcks = [];
        this.ackFlush = null;
        Promise.all([
          this.client.zrem(UNACKED_INDEX_KEY, ...tags),
          this.client.hdel(UNACKED_KEY, ...tags),
        ]).then(() => resolve(), reject);
      });
    });
    return this.ackFlush;
  }

  /**
   * kombu `restore_by_tag`: put the unacked message back, marked `redelivered`. RPUSH (the end
   * BRPOP reads next) unless `leftmost`. Like kombu 5.2 it goes to the plain list of the routing
   * key's queue. Returns false when the tag was no longer unacked.
   */
  async restore(tag: string, leftmost = false): Promise<boolean> {
    const cur = await this.client.hget(UNACKED_KEY, tag);
    if (cur === null) {
      await this.client.zrem(UNACKED_INDEX_KEY, tag);
      return false;
    }
    let dest = '';
    let payload = '';
    try {
      const [m, , rk] = JSON.parse(cur) as [Envelope, string, string];
      if (m.headers) m.headers.redelivered = true;
      if (m.properties?.delivery_info) m.properties.delivery_info.redelivered = true;
      dest = rk || m.properties?.delivery_info?.routing_key || '';
      payload = JSON.stringify(m);
    } catch {
      // An entry we cannot read cannot be restored either; drop it so it stops coming back.
      await this.ack(tag);
      return false;
    }
    if (!dest) return false;
    const ok = await runScript(
      this.client,
      RESTORE_LUA,
      [UNACKED_KEY, UNACKED_INDEX_KEY, dest],
      [tag, cur, payload, leftmost ? '1' : '0'],
    );
    return ok === 1;
  }

  /**
   * kombu `restore_visible`: under `unacked_mutex` (skipped when another worker holds it),
   * restore every message delivered more than `visibilityTimeout` seconds ago.
   */
  async restoreVisible(limit?: number): Promise<number> {
    const token = randomUUID().replace(/-/g, '');
    const got = await this.client.set(
      UNACKED_MUTEX_KEY,
      token,
      'PX',
      UNACKED_MUTEX_EXPIRE * 1000,
      'NX',
    );
    if (got !== 'OK') return 0;
    let n = 0;
    try {
      const ceil = Date.now() / 1000 - this.visibilityTimeout;
      const tags =
        limit !== undefined
          ? await this.client.zrevrangebyscore(UNACKED_INDEX_KEY, ceil, 0, 'LIMIT', 0, limit)
          : await this.client.zrevrangebyscore(UNACKED_INDEX_KEY, ceil, 0);
      for (const tag of tags) if (await this.restore(tag)) n++;
    } finally {
      await runScript(this.client, RELEASE_LOCK_LUA, [UNACKED_MUTEX_KEY], [token]);
    }
    return n;
  }

  /**
   * Marks messages this worker still holds as freshly delivered (ZADD XX), so no worker restores
   * a task that is alive but slower than the visibility timeout. kombu does not do this; a
   * SIGKILLed worker stops touching and its messages come back as kombu's would.
   */
  async touch(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const now = Date.now() / 1000;
    const args: (string | number)[] = [];
    for (const t of tags) args.push(now, t);
    await this.client.zadd(UNACKED_INDEX_KEY, 'XX', ...args);
  }

  /** Closes the connections this transport opened (a shared client is left open). */
  async close(): Promise<void> {
    if (this.ackFlush) await this.ackFlush.catch(() => undefined);
    if (this.blocking) this.blocking.disconnect();
    this.blocking = null;
    if (this.ownsClient) await this.client.quit().catch(() => undefined);
  }
}

function toDelivery(raw: string, queue: string): Delivery {
  try {
    const envelope = parseEnvelope(raw);
    const tag =
      typeof envelope.properties.delivery_tag === 'string'
        ? envelope.properties.delivery_tag
        : null;
    return { raw, queue, envelope, tag };
  } catch (e) {
    // The fetch script may still have registered it by tag: keep the tag so it can be acked
    // (dropped) instead of coming back after every visibility timeout.
    const tag = /"delivery_tag": ?"([^"]+)"/.exec(raw)?.[1] ?? null;
    return { raw, queue, envelope: null, parseError: e as Error, tag };
  }
}
